"""Drawing what analytics computes: plotly figures, the offline map export and the PDF brief."""
