"""报告中心: reports and white papers built from the scores, as PDF and xlsx, kept, listed and e-mailed.

:mod:`.blocks` is what a report says (the contract every output draws from); :mod:`.assemble` gathers it
from the data for a viewer's scope; :mod:`.pdf` and :mod:`.workbook` draw it; :mod:`.build` builds, keeps and
lists reports; :mod:`.__main__` is the command schedulers run.
"""
