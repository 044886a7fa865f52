"""Static facts shipped with urbdash: the indicator catalogue, periods, the official series,
the published targets and the division plan with its parser. Nothing here touches the store."""
