"""dlmath.plotting: 日本語フォントの設定と、外部を読まないアニメーションの HTML。"""

import base64
import re
import subprocess
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.animation import FuncAnimation  # noqa: E402

from dlmath.plotting import animation_html  # noqa: E402


def test_japanese_font_is_set():
    assert "IPAexGothic" in matplotlib.rcParams["font.family"]


@pytest.fixture
def anim():
    fig, ax = plt.subplots(figsize=(2, 2))
    (line,) = ax.plot([], [])
    animation = FuncAnimation(fig, lambda k: (line.set_data([0, k], [0, k]), line)[1:], frames=3)
    yield animation
    plt.close(fig)


def test_animation_html_loads_nothing_from_other_sites_and_describes_itself(anim):
    with plt.rc_context({"savefig.dpi": 30}):
        html = animation_html(anim, alt='点が "動く" 様子')
    assert not re.search(r'(href|src)="https?://', html)
    assert 'alt="点が &quot;動く&quot; 様子"' in html
    assert 'title="再生"' in html and 'title="Play"' not in html
    assert 'aria-label="再生"' in html and not re.search(r'aria-label="[A-Za-z]', html)
    assert 'class="anim-slider" aria-label="表示するコマ"' in html
    assert html.count("data:image/png;base64,") == 3 + 1  # 3 コマと、<img> に最初から入れる最初のコマ
    # 最初のコマとその大きさ(図の大きさ × dpi)が <img> に書かれている
    size = re.search(r'<img src="data:image/png;base64,[^"]+" width="(\d+)" height="(\d+)" alt=', html)
    expected = anim._fig.get_size_inches() * 30
    assert size and (int(size[1]), int(size[2])) == (round(expected[0]), round(expected[1])), size


def test_animation_prints_as_a_vector_still_of_its_last_frame(anim):
    """印刷(ブラウザと PDF 版)ではアニメーションを隠し、最後のコマの SVG を見せる。画面ではその逆。"""
    html = animation_html(anim, alt="点が動く様子")
    still = re.search(r'<div class="dlmath-animation-still"><img src="data:image/svg\+xml;base64,([^"]+)" '
                      r'width="(\d+)" height="(\d+)" alt="([^"]+)"', html)
    assert still and still[4] == "点が動く様子(最後のコマ)"
    svg = base64.b64decode(still[1]).decode()
    assert (int(still[2]), int(still[3])) == (192, 192)  # 2 × 2 インチの図(1 pt = 4/3 px)
    assert "<svg" in svg and "<image" not in svg  # 画像を埋め込まないベクトルの図
    # 最後のコマ(k = 2)の線は (0, 0) から (2, 2) へ: 最初のコマ(長さ 0)とは違う、長さのある線が描かれている
    line = anim._fig.axes[0].lines[0]
    assert list(line.get_xdata()) == [0, 2]
    assert ".dlmath-animation-still { display: none; }" in html
    assert re.search(r"@media print \{ \.animation \{ display: none; \} \.dlmath-animation-still \{ display: block; \} \}", html)


def test_animation_starts_and_loads_its_frames_only_near_the_screen(anim):
    html = animation_html(anim, alt="点が動く様子")
    assert "setTimeout(function() {" not in html and "set a timeout" not in html
    start = html.index("new IntersectionObserver")
    assert start < html.index("new Animation(frames, img_id")
    # スクリプトを Node.js で実行する: 画面がない(IntersectionObserver がない)ときはすぐにアニメーションを作る
    script = html[html.rindex("<script", 0, start):html.index("</script>", start)].split(">", 1)[1]
    stubs = "var window = {}, document = {getElementById: () => null}, made = 0; function Animation() { made++; }\n"
    run = subprocess.run(["node", "-e", stubs + script + "\nif (made !== 1) process.exit(3);"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_small_figure_text_is_reported_when_drawn():
    from dlmath.plotting import MIN_FONT_PT, _check_font_sizes

    fig, ax = plt.subplots(figsize=(2, 2))
    _check_font_sizes(fig)
    ax.set_title("読める", fontsize=MIN_FONT_PT)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.canvas.draw()
    ax.plot([0, 1], label="小さい凡例")
    ax.legend(fontsize=MIN_FONT_PT - 2)
    with pytest.warns(UserWarning, match=f"「小さい凡例」{MIN_FONT_PT - 2} pt"):
        fig.canvas.draw()
    plt.close(fig)


def test_wide_figures_keep_their_smallest_text_legible_on_a_phone():
    from dlmath.plotting import MIN_FONT_PT, MIN_PHONE_TEXT_PX, min_display_width

    # 幅 890 px(100 dpi)の図の 10 pt の文字は 13.9 px。577 px で見せると 9 px。
    width = min_display_width(890, 100)
    assert width == 577
    assert MIN_FONT_PT / 72 * 100 * width / 890 >= MIN_PHONE_TEXT_PX > MIN_FONT_PT / 72 * 100 * (width - 1) / 890


def test_animation_html_requires_a_description():
    with pytest.raises(ValueError, match="alt は、アニメーションを見られない読者のための説明にしてください。受け取ったのは空の文字列です。"):
        animation_html(object(), alt="  ")  # 描く前に断るので、アニメーションそのものは要らない


def test_numpy_scalars_print_without_their_type_name():
    """ページの出力に np.float64(0.7) ではなく 0.7 と出る(dlmath.plotting を import したあと)。"""
    import numpy as np

    import dlmath.plotting  # noqa: F401

    assert repr(np.float64(0.7)) == "0.7"
    assert repr([np.int64(3), np.True_]) == "[3, True]"
