"""What the example department (schedcu.examples) gives for March 2026, worked out by hand from
its data, not by running the code: the end-to-end tests compare the import's figures with these.

March 2026 starts on a Sunday: 22 weekdays, 9 weekend days (Sat 7, 14, 21, 28; Sun 1, 8, 15, 22,
29); clocks go forward in the night of Sat 7 to Sun 8 (America/New_York).

- Shift instances (template: data.SHEETS; a sheet applies on its day type, ON sheets every day):
  a weekday has Mid Weekday Neuro 3 + Mid Weekday Body 3 + ON Neuro 2 + ON Body 2 = 10 positions,
  a weekend day Mid Weekend 2 + Mid Weekend 10pm-Midnight 1 + ON Neuro 2 + ON Body 2 = 7:
  22 x 10 + 9 x 7 = 283.
- Assignments (Amion: amion_month.month_schedule): 5 positions a weekday, 4 a weekend day,
  minus the deliberate holes, MidL on the 5 Sundays and ON2 on Friday 13: 110 + 36 - 5 - 1 = 140.
- Coverage rows (one per service day, time segment and study type; 8 study types): a weekday has
  2 segments (Mid 17-24, ON 0-8), a weekend day 3 (its narrower 22-24 sheet splits Mid at 22):
  22 x 2 x 8 + 9 x 3 x 8 = 352 + 216 = 568.
- Hours: 15 a day per study type (Mid 7 + ON 8), 31 x 15 = 465, minus the hour the clock skips
  on 8 March = 464. In the weekend 22-24 window only the narrower sheet counts, and it names 5 of
  the 8 study types: Kids Neuro, North CT Neuro and North CT Body have no rule there,
  9 x 2 h = 18 h each (54 h). Ruled: 5 x 464 + 3 x 446 = 3658 h. Unstaffed: MidL's 4 study types
  17-22 on 5 Sundays (4 x 5 h x 5 = 100 h) and ON2's 4 study types on the night of the 13th
  (4 x 8 h = 32 h) = 132 h. Covered 3658 - 132 = 3526 h; 3526 / 3658 = 96.39 %.

(Issue 18 quoted 286 / 142 / 560 / 96.95 %; the hand count and the code agree on these instead.)
"""

from __future__ import annotations

MARCH_2026_COUNTS = {"shift_instances": 283, "assignments": 140, "coverage_rows": 568}
MARCH_2026_COVERAGE = {
    "overall_pct": 96.39,
    "covered_hours": 3526.0,
    "unstaffed_hours": 132.0,
    "no_rule_hours": 54.0,
}
