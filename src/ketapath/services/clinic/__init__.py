"""What the clinic sees as a whole: the Today board, clinic outcomes, de-identified research
data and the drug library.
"""
