"""sphinx-exercise の見出しを本書の用語(演習問題・解答)にそろえる Sphinx 拡張。

sphinx-exercise 1.2.1 の日本語訳は Exercise を「練習」とし、Solution には訳がなく英語のまま表示されます。
演習問題の見出し(「演習問題 3.2」)は _config.yml の ``numfig_format: exercise`` で決め、
解答の見出しはここで「解答」に置き換えます(``exercise_style: solution_follow_exercise`` のとき、
見出しは訳語 1 語だけになります)。

いつ外せるか: sphinx-exercise が Solution を訳せるようになれば(executablebooks/sphinx-exercise #13、#75)要りません。
"""

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx_exercise.nodes import solution_node

SOLUTION_TITLE = "解答"


class JapaneseSolutionTitle(SphinxPostTransform):
    default_priority = 22  # sphinx-exercise が解答の見出しを作る変換(優先度 21)のあと

    def run(self):
        for node in self.document.findall(solution_node):
            title = node.children[0] if node.children else None
            if isinstance(title, nodes.title) and title.astext() == "Solution":
                title.children = []
                title += nodes.Text(SOLUTION_TITLE)
                node["title"] = SOLUTION_TITLE


def setup(app):
    app.setup_extension("sphinx_exercise")
    app.add_post_transform(JapaneseSolutionTitle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
