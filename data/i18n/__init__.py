"""The message catalogue (Chinese and English) and the number and period formatters."""
