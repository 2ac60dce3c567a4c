"""本のページを実行するカーネル(ipykernel)の設定。make が IPYTHONDIR=_build/ipython に置きます(Makefile)。

ipykernel 7 は、TCP で動くたびに「Kernel is running over TCP without encryption」という警告を書きます
(ipykernel/kernelapp.py の init_sockets。ビルドでは実行するページごとに 1 行)。ビルドのカーネルは
jupyter_client が 127.0.0.1 だけで待ち受けさせ、メッセージは接続ファイル(本人だけが読める)の鍵で署名されます。
警告が言うのは同じマシンのほかのユーザーに読まれうることで、実行するのは本のページのコードだけなので、
読者が何かをする必要はありません。そこでこの 1 つの警告だけを消し、ほかのログはそのまま出します。

IPYTHONDIR を本のビルド専用にすると、読者の ~/.ipython の起動スクリプトなどがビルドに混ざらない利点もあります。
"""

import logging


class _WithoutTcpEncryptionWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "without encryption" not in record.getMessage()


logging.getLogger("IPKernelApp").addFilter(_WithoutTcpEncryptionWarning())
