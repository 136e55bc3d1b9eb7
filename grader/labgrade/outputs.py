"""Cap the size of printed output in graded notebooks.

nbgrader's ``LimitOutput`` counts lines, so 100 lines of 1 MB each stay 100 MB,
in the graded notebook and in the feedback. This preprocessor runs after it
and cuts the text of each code cell's stream outputs to ``max_chars``. Scores
do not change: nbgrader scores a test cell by its error outputs only.
"""
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer


class LimitOutputSize(NbGraderPreprocessor):
    """Cut each code cell's printed text to at most ``max_chars`` characters."""

    max_chars = Integer(20_000, help="Most characters of printed text kept per cell.").tag(
        config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type != "code":
            return cell, resources
        left = self.max_chars
        for output in cell.outputs:
            if output.output_type == "stream":
                if len(output.text) > left:
                    output.text = output.text[:left] + "\n... output cut by labgrade ...\n"
                left = max(0, left - len(output.text))
        return cell, resources
