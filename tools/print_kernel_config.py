# 印刷用のビルド(make pdf)のカーネルの設定。Matplotlib の図を SVG(ベクトル)で出し、PDF の図を拡大しても粗くしません。
# 図の中の画像(imshow の手書き数字など)は SVG の中で 300 dpi にします(既定は図の dpi の 100)。
# make pdf が _build/print/ipython/profile_default/ipython_kernel_config.py に写し、IPYTHONDIR で読ませます。
# Web 版(make book)はこれを読まず、PNG のままです。
c = get_config()  # noqa: F821  (IPython の設定ファイルでは get_config が与えられる)
c.InlineBackend.figure_formats = {"svg"}
c.InlineBackend.print_figure_kwargs = {"bbox_inches": "tight", "dpi": 300}
