"""A play-through, as plain data and rules: no Textual, no SQL, no subprocess.

``run`` (QuizRun: one play-through, its results, resuming), ``shuffle`` (each player's order
and the way back to the bank's letters), ``exam`` (the plan and one player's paper),
``review`` (the FSRS rules), ``players`` (player names) and ``records`` (what an answer is,
as the store keeps it).
"""
