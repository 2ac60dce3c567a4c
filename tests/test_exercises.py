"""演習問題: 各章に 3 問以上あり、どの問題にも折りたたまれた解答が付いていることを、ビルド済みのサイトで確かめる。

演習問題は sphinx-exercise の ``{exercise}``(``div.exercise``、ラベル ``ex-…``)で書き、解答は
``{solution-start}`` … ``{solution-end}`` に ``:class: dropdown`` を付けて、問題の直後に置きます
(``div.solution.dropdown.admonition``)。``.admonition.dropdown`` はテーマの sphinx-togglebutton が
ページを開いたときに折りたたみます。
"""

import re

import pytest

from conftest import built_page, chapters_by_numbering

MIN_EXERCISES = 3


NUMBERED, UNNUMBERED = chapters_by_numbering()
CHAPTERS = NUMBERED + UNNUMBERED
# 番号付きの章では「演習問題 章.番号」、番号なしの数学の準備では「演習問題 番号」
TITLE = {name: r"演習問題 \d+\.\d+" for name in NUMBERED} | {name: r"演習問題 \d+" for name in UNNUMBERED}



def exercises(soup):
    return soup.select("article div.exercise")


def solution_of(exercise):
    """問題の直後の要素が、その解答(div.solution)であること。"""
    sibling = exercise.find_next_sibling()
    if sibling is None or "solution" not in sibling.get("class", []):
        return None
    return sibling


def test_chapter_list_covers_the_chapters_of_the_toc():
    assert {"book/linear-regression", "book/logistic-regression", "book/math-derivatives"} <= set(CHAPTERS)
    assert "book/glossary" not in CHAPTERS


@pytest.mark.parametrize("name", CHAPTERS)
def test_each_chapter_has_enough_labelled_numbered_exercises(site, name):
    found = exercises(built_page(site, name))
    assert len(found) >= MIN_EXERCISES, f"{name}: {len(found)} exercises, need at least {MIN_EXERCISES}"
    for exercise in found:
        assert exercise.get("id", "").startswith("ex-"), f"{name}: exercise without an ex-… label: {exercise.get('id')}"
        title = exercise.select_one(".admonition-title").get_text(" ", strip=True)
        assert re.match(TITLE[name], title), f"{name}: exercise {exercise['id']} is not numbered: {title!r}"


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_exercise_has_a_collapsed_worked_solution(site, name):
    soup = built_page(site, name)
    for exercise in exercises(soup):
        solution = solution_of(exercise)
        assert solution is not None, f"{name}: exercise {exercise['id']} has no solution right after it"
        classes = set(solution.get("class", []))
        assert {"dropdown", "admonition"} <= classes, f"{name}: solution of {exercise['id']} is not collapsed: {classes}"
        assert solution.select_one(".admonition-title").get_text(strip=True) == "解答"
        body = solution.select_one("section#solution-content") or solution
        assert len(body.get_text(strip=True)) > 40, f"{name}: solution of {exercise['id']} is (nearly) empty"
    # テーマの折りたたみ(sphinx-togglebutton)が .admonition.dropdown を対象にしていること
    scripts = " ".join(s.get_text() for s in soup.find_all("script"))
    assert ".admonition.dropdown" in scripts, f"{name}: togglebutton does not collapse .admonition.dropdown"


def test_book_has_both_derivation_and_code_exercises(site):
    derivations, code = [], []
    for name in CHAPTERS:
        for exercise in exercises(built_page(site, name)):
            if "導出" in exercise.select_one(".admonition-title").get_text():
                derivations.append(exercise["id"])
            solution = solution_of(exercise)
            # コードの問題: 解答の中のセルがビルド時に実行され、出力が付いている
            if solution is not None and solution.select(".cell .cell_output"):
                code.append(exercise["id"])
    assert derivations, "no derivation (導出) exercise in the book"
    assert code, "no exercise whose solution runs code"


def test_references_to_exercises_resolve_to_numbers(site):
    soup = built_page(site, "book/how-models-learn")
    link = soup.find("a", href="#ex-learn-curvature")
    assert link is not None and re.fullmatch(r"演習問題 2\.\d+", link.get_text(strip=True))
