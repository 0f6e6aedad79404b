"""What changed between a coverage calculation and the one it replaces: gaps opened, closed,
grown or shrunk, assignments added, removed or moved, shifts added or removed.

`model` holds the values (`Changes`, whose `opened` and `grown` are `Gap`s), `compare` computes
them (pure), `inputs` reduces a calculation's inputs to keys and a fingerprint, `store` picks the
baseline and reads the stored comparisons, `report` writes the "What changed" text.
"""
