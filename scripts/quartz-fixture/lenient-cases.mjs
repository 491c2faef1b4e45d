// Malformed-looking or undocumented inputs that Quartz 2.3.2 ACCEPTS. Each group documents one parser
// quirk; `equiv` is a documented-syntax expression that the generator checks gives the same answer for
// the same query (null when there is none worth stating).
const NEVER = '0 0 0 30 2 ?'; // documented expression that never fires

export const LENIENT_GROUPS = [
  {
    id: 'trailing-garbage-number',
    about: 'characters after a number (or after nL / nW) are silently ignored',
    cases: [
      ['0 0 12 5abc * ?', '0 0 12 5 * ?'],
      ['0 0 12x * * ?', '0 0 12 * * ?'],
      ['0 30x 9 * * ?', '0 30 9 * * ?'],
      ['0x 30 9 * * ?', '0 30 9 * * ?'],
      ['0 0 12h * * ?', '0 0 12 * * ?'],
      ['0 0 12 ? 3x *', '0 0 12 ? 3 *'],
      ['0 0 12 ? * 2x', '0 0 12 ? * 2'],
      ['0 0 12 1.5 * ?', '0 0 12 1 * ?'],
      ['0 0 12 ? * 2;3', '0 0 12 ? * 2'],
      ['0 0 9 ? * MON 2030x', '0 0 9 ? * MON 2030'],
      ['0 0 12 ? * 6Lx', '0 0 12 ? * 6L'],
      ['0 0 12 15WW * ?', '0 0 12 15W * ?'],
      ['0 0 12 15WL * ?', '0 0 12 15W * ?'],
      ['0 5-10/2x * * * ?', '0 5-10/2 * * * ?'],
    ],
  },
  {
    id: 'trailing-garbage-name',
    about:
      'only the first three letters of a month/day name are read; the rest is ignored, even a range end (MARCH-MAY is MAR)',
    cases: [
      ['0 0 12 1 JANUARY ?', '0 0 12 1 JAN ?'],
      ['0 0 12 1 JANX ?', '0 0 12 1 JAN ?'],
      ['0 0 12 ? DECEMBER *', '0 0 12 ? DEC *'],
      ['0 0 12 1 MARCH-MAY ?', '0 0 12 1 MAR ?'],
      ['0 0 12 1 JUNE-X ?', '0 0 12 1 JUN ?'],
      ['0 0 12 ? * MONDAY', '0 0 12 ? * MON'],
      ['0 0 12 ? * Tuesday', '0 0 12 ? * TUE'],
      ['0 0 12 ? * MON-FRIDAY', '0 0 12 ? * MON-FRI'],
      ['0 0 12 ? * SUNDAY,SATURDAY', '0 0 12 ? * SUN,SAT'],
    ],
  },
  {
    id: 'name-step-ignored',
    about: 'a /step after a name or a name range is ignored (a numeric range honours it)',
    cases: [
      ['0 0 12 ? * MON-FRI/2', '0 0 12 ? * MON-FRI'],
      ['0 0 12 ? * SUN/2', '0 0 12 ? * SUN'],
      ['0 0 12 1 JAN/2 ?', '0 0 12 1 JAN ?'],
      ['0 0 12 1 JAN-DEC/3 ?', '0 0 12 1 JAN-DEC ?'],
    ],
  },
  {
    id: 'suffix-after-range-ignored',
    about: 'L, #n or W after a numeric range is ignored: the plain range is used',
    cases: [
      ['0 0 12 ? * 2-6L', '0 0 12 ? * 2-6'],
      ['0 0 12 ? * 1-7L', '0 0 12 ? * 1-7'],
      ['0 0 12 ? * 2-6#3', '0 0 12 ? * 2-6'],
      ['0 0 12 1-5W * ?', '0 0 12 1-5 * ?'],
      ['0 0 12 10-20W * ?', '0 0 12 10-20 * ?'],
    ],
  },
  {
    id: 'w-in-list',
    about:
      'W anywhere in a day-of-month list turns on nearest-weekday for the SMALLEST listed day only; the other days are dropped',
    cases: [
      ['0 0 12 1,15W * ?', '0 0 12 1W * ?'],
      ['0 0 12 15W,20 * ?', '0 0 12 15W * ?'],
      ['0 0 12 20,15W * ?', '0 0 12 15W * ?'],
      ['0 0 12 10,20,30W * ?', '0 0 12 10W * ?'],
      ['0 0 12 5W,25W * ?', '0 0 12 5W * ?'],
    ],
  },
  {
    id: 'nth-in-list',
    about: '#k in a day-of-week list applies to the SMALLEST listed weekday only; the other days are dropped',
    cases: [
      ['0 0 12 ? * 2,3#2', '0 0 12 ? * 2#2'],
      ['0 0 12 ? * 1#1,2', '0 0 12 ? * 1#1'],
      ['0 0 12 ? * 5,3#1', '0 0 12 ? * 3#1'],
      ['0 0 12 ? * MON,FRI#3', '0 0 12 ? * MON#3'],
    ],
  },
  {
    id: 'nth-weekday-unchecked',
    about: 'the weekday before #k is not range-checked: 0#k acts as 7#k (Saturday), 8#k and above never fire',
    cases: [
      ['0 0 12 ? * 0#1', '0 0 12 ? * 7#1'],
      ['0 0 12 ? * 0#3', '0 0 12 ? * 7#3'],
      ['0 0 12 ? * 8#1', NEVER],
      ['0 0 12 ? * 9#2', NEVER],
    ],
  },
  {
    id: 'name-then-L',
    about: 'a day name followed by L (FRIL) means the last such weekday, like 6L',
    cases: [
      ['0 0 12 ? * FRIL', '0 0 12 ? * 6L'],
      ['0 0 12 ? * SATL', '0 0 12 ? * 7L'],
      ['0 0 12 ? * monL', '0 0 12 ? * 2L'],
    ],
  },
  {
    id: 'zero-increment',
    about: 'an increment of 0 is accepted: */0 means *, a/0 and a-b/0 mean just a',
    cases: [
      ['*/0 * * * * ?', '* * * * * ?'],
      ['0 */0 * * * ?', '0 * * * * ?'],
      ['0 0 12 ? * */0', '0 0 12 ? * *'],
      ['5/0 * * * * ?', '5 * * * * ?'],
      ['0 10-20/0 * * * ?', '0 10 * * * ?'],
      ['0 0 12 ? * MON 2030/0', '0 0 12 ? * MON 2030'],
      ['0 0 12 ? * MON */0', '0 0 12 ? * MON *'],
    ],
  },
  {
    id: 'range-increment-unchecked',
    about:
      'the increment of a-b/n is not range-checked (only */n and a/n are); a too-large step leaves just a',
    cases: [
      ['0 0-5/70 12 * * ?', '0 0 12 * * ?'],
      ['0 0 0-23/30 * * ?', '0 0 0 * * ?'],
      ['0 0 12 1-31/40 * ?', '0 0 12 1 * ?'],
      ['0 0 12 1 1-12/13 ?', '0 0 12 1 1 ?'],
      ['0 0 12 ? * 1-3/9', '0 0 12 ? * 1'],
    ],
  },
  {
    id: 'leading-slash',
    about: 'a field starting with / is taken as */n',
    cases: [
      ['/5 * * * * ?', '*/5 * * * * ?'],
      ['0 /15 * * * ?', '0 */15 * * * ?'],
      ['0 0 /6 * * ?', '0 0 */6 * * ?'],
      ['0 0 12 /10 * ?', '0 0 12 */10 * ?'],
    ],
  },
  {
    id: 'star-garbage',
    about: '* followed by anything other than /n is plain *',
    cases: [
      ['*x * * * * ?', '* * * * * ?'],
      ['0 ** * * * ?', '0 * * * * ?'],
      ['0 0 *5 * * ?', '0 0 * * * ?'],
      ['0 0 12 ? *-3 *', '0 0 12 ? * *'],
      ['0 0 12 *x * ?', '0 0 12 * * ?'],
    ],
  },
  {
    id: 'question-plus-one-char',
    about: '? followed by exactly one more character is accepted (two or more are rejected)',
    cases: [
      ['0 0 12 ?X * MON', '0 0 12 ? * MON'],
      ['0 0 12 ?? * MON', '0 0 12 ? * MON'],
      ['0 0 12 * * ?1', '0 0 12 * * ?'],
      ['0 0 12 1 * ?L', '0 0 12 1 * ?'],
    ],
  },
  {
    id: 'extra-fields',
    about: 'tokens after the 7th (year) field are ignored, so 8+ fields are accepted',
    cases: [
      ['0 0 12 ? * MON 2030 foo', '0 0 12 ? * MON 2030'],
      ['0 0 12 ? * MON * foo bar', '0 0 12 ? * MON *'],
      ['0 0 12 * * ? 2026-2030 2040', '0 0 12 * * ? 2026-2030'],
      ['0 0 12 1 * ? * * *', '0 0 12 1 * ? *'],
    ],
  },
  {
    id: 'whitespace',
    about: 'leading, trailing and repeated spaces are accepted (tabs too, but this file cannot hold them)',
    cases: [
      [' 0 0 12 * * ?', '0 0 12 * * ?'],
      ['0 0 12 * * ? ', '0 0 12 * * ?'],
      ['0  0  12  *  *  ?', '0 0 12 * * ?'],
      ['   0 0 12 ? * MON   2030  ', '0 0 12 ? * MON 2030'],
    ],
  },
  {
    id: 'empty-list-items',
    about: 'empty items in a comma list are skipped',
    cases: [
      ['0 0 12 1,,15 * ?', '0 0 12 1,15 * ?'],
      [',5 * * * * ?', '5 * * * * ?'],
      ['5, * * * * ?', '5 * * * * ?'],
      ['0 0 0,,12 * * ?', '0 0 0,12 * * ?'],
      ['0 0 12 ? * MON,,FRI', '0 0 12 ? * MON,FRI'],
    ],
  },
  {
    id: 'leading-zeros',
    about: 'numbers with leading zeros are accepted',
    cases: [
      ['00 05 09 * * ?', '0 5 9 * * ?'],
      ['0 0 12 01 01 ?', '0 0 12 1 1 ?'],
      ['0 0 012 * * ?', '0 0 12 * * ?'],
      ['0 */05 * * * ?', '0 */5 * * * ?'],
      ['0 0 12 ? * 02', '0 0 12 ? * 2'],
    ],
  },
  {
    id: 'dow-L-suffix',
    about: 'in day-of-week, L followed by anything (L-3, LW) is just L, i.e. 7 = Saturday',
    cases: [
      ['0 0 12 ? * L-3', '0 0 12 ? * 7'],
      ['0 0 12 ? * LW', '0 0 12 ? * 7'],
      ['0 0 12 ? * L-', '0 0 12 ? * 7'],
    ],
  },
  {
    id: 'dom-L-suffix',
    about: 'L-0 is L and L-0W is LW',
    cases: [
      ['0 0 12 L-0 * ?', '0 0 12 L * ?'],
      ['0 0 12 L-0W * ?', '0 0 12 LW * ?'],
    ],
  },
  {
    id: 'year-unchecked',
    about:
      'years are not range-checked: years before 1970 or after (current year + 100) are accepted and never fire; L or a bare comma in the year field never fires',
    cases: [
      ['0 0 12 ? * MON 1969', NEVER],
      ['0 0 12 ? * MON 0', NEVER],
      ['0 0 12 ? * MON 1900-1960', NEVER],
      ['0 0 12 ? * MON 3000', NEVER],
      ['0 0 12 ? * MON L', NEVER],
      ['0 0 12 ? * MON 2020-99999', '0 0 12 ? * MON *'],
      ['0 0 12 ? * MON ,', NEVER],
    ],
  },
  {
    id: 'magic-99-98',
    about:
      "99 is Quartz's internal marker for * and 98 for ?: a literal 99 means * in any field (also in ranges/steps), 98 means ? in the day fields",
    cases: [
      ['99 0 12 * * ?', '* 0 12 * * ?'],
      ['0 99 12 * * ?', '0 * 12 * * ?'],
      ['0 0 99 * * ?', '0 0 * * * ?'],
      ['0 0 12 99 * ?', '0 0 12 * * ?'],
      ['0 0 12 99/5 * ?', '0 0 12 */5 * ?'],
      ['0 0 12 * 99 ?', '0 0 12 * * ?'],
      ['0 0 12 ? * 99', '0 0 12 ? * *'],
      ['0 0 12 ? * MON 99', '0 0 12 ? * MON *'],
      ['0 0 12 98 * MON', '0 0 12 ? * MON'],
      ['0 0 12 1 * 98', '0 0 12 1 * ?'],
    ],
  },
];

/** Accepted expressions on which getNextValidTimeAfter never returns (probed with a short watchdog). */
export const HANG_PROBES = [
  ['0 0 12 0W * ?', 'UTC', '2026-01-01T00:00:00Z', 'day 0 with W (0 is not range-checked before W)'],
  ['0 0 12 L-28W * ?', 'UTC', '2026-01-15T00:00:00Z', 'L-nW whose day falls before the 1st (February 2026)'],
  ['0 0 12 L-30W * ?', 'UTC', '2026-01-01T00:00:00Z', 'L-nW whose day falls before the 1st'],
];
