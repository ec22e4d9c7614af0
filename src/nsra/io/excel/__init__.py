"""The Excel round trip: a workbook to fill in for a method or an assessment, an assessment as
a filled workbook, and a workbook read back as an assessment, with every problem said at its
sheet and cell.

- :mod:`.layout`: the sheets and their columns, the one table all three read;
- :mod:`.cells`: how each kind of cell is written and read;
- :mod:`.rows`: an assessment as the rows of the sheets; :mod:`.book`: the workbook written;
- :mod:`.template`, :mod:`.export`: the two workbooks written;
- :mod:`.safety`, :mod:`.reading`, :mod:`.building`, :mod:`.importing`: the workbook read.
"""

from nsra.io.excel.export import export_workbook
from nsra.io.excel.importing import Imported, import_workbook
from nsra.io.excel.safety import Limits
from nsra.io.excel.template import assessment_template, method_template

__all__ = [
    "Imported",
    "Limits",
    "assessment_template",
    "export_workbook",
    "import_workbook",
    "method_template",
]
