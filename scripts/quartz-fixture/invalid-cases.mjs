// Candidate expressions that Quartz 2.3.2 should REJECT. The generator keeps only those whose oracle
// answer starts with ERR (and reports the others). `_` in a base is where a bad token is put.

/** Bad tokens per field; each is tried in a few base expressions. */
// prettier-ignore
export const BAD_TOKENS = {
  second: [
    '60', '61', '100', '0-60', '50-60', '60-5', '1,60', '0,15,60', '60/5', '-1', '-5', '*/60', '*/61',
    '*/99', '0/60', '5/61', '*/', '0/', '5/', '/', '*/x', '0/x', '*/5x', '5-', '5-x', '5-10/', '5-10/x', 'x5',
    'x', 'a', '.5', '+5', '$', '@', '!', '&', '%', '=', '5W', '5L', '5#2', '?', '??', '?ab', 'W', 'JAN', 'MON',
    'FOO', 'L', 'LW', 'L-2', ',', '5-70',
  ],
  minute: [
    '60', '61', '0-60', '45-60', '60-5', '0,30,60', '60/10', '-1', '-30', '*/60', '*/75', '0/60',
    '15/99', '*/', '0/', '/', '*/x', '15/x', '*/15x', '5-', '5-x', '0-30/', 'x5', 'x', 'm', '.5', '+5', '#',
    '5W', '5L', '5#2', '?', '?ab', 'W', 'FEB', 'TUE', 'BAR', 'L', ',', '0-99',
  ],
  hour: [
    '24', '25', '0-24', '20-24', '24-2', '1,24', '9,17,24', '24/2', '*/24', '*/25', '0/24', '1/30', '-1',
    'x', 'h', '+9', '.9', '*/', '9/', '9-', '9-x', '9/x', '*/2x', '9W', '9L', '9#1', '?', '?ab', 'W', 'MAR',
    'WED', 'NOON', 'L', 'LW', ',',
  ],
  dayOfMonth: [
    '0', '32', '0-5', '1-32', '32-1', '0/5', '1/32', '*/32', '*/40', '1,32', 'L-31', 'L-32', 'L-99',
    'L-31W', 'L-', 'L-x', 'L,15', '15,L', 'LW,1', '1,LW', 'L-2,5', '1,L-3W', 'W', 'W15', '5L', '15#2', '32W',
    '40W', 'LL', 'LX', 'LWX', 'LW3', 'L-3x', 'L-3WX', 'FOO', 'MON', 'JAN', '?ab', '-1', 'x', 'x15', '+1', '*/', '1-', '1-x', '5/x',
    '5/', '1#2', ',',
  ],
  month: [
    '0', '13', '0-5', '1-13', '13-1', '13/2', '0/2', '*/13', '*/20', '1,13', 'FOO', 'JA', 'J',
    'JAN-FOO', 'JAN-', 'JAN-3', '3-MAR', 'JAN-JU', 'MON', 'SUN', '5L', '5W', '5#2', 'L', 'LW', '?', '?ab', '-1',
    'x', '+1', '*/', '1-', '1/x', '1-x', 'MAR-', ',', 'JAN,13',
  ],
  dayOfWeek: [
    '0', '8', '9', '0-3', '1-8', '8-1', '*/8', '*/9', '1/8', '0/2', '0L', '8L', '9L', '10L', '2#6', '2#0',
    '2#9', '2#-1', '2#', '2#x', '2#1x', '#2', '#', 'MON#6', 'MON#0', 'MON#', 'MON#2x', '1#1#2', '1#2,3#4',
    'MON#1,TUE#2', '6L,2', '2,6L', 'L,MON', 'MON,L', '1,L', 'FOO', 'MOX', 'MO', 'M', 'JAN', 'MAR', 'MON-FOO',
    'MON-', 'MON-F', 'MON-3', '2-FRI', '5W', 'W', '1-', '1-x', '?ab', '*/', '1/x', '1/', '-1', 'x', '+2', ',',
    '1,8', 'LX',
  ],
  year: [
    '?', '2030-2025', '2100-2000', '2021-2020', 'x', '-1', '*/', '2020/', '2020/x', '2020-', '2020-x', 'W',
    '2030W', '2030L', '2030#2', 'JAN', 'MON', '+2030', '?ab', '100000000000',
  ],
};

/** Where each field's bad token goes; day-of-week bases have day-of-month `?` and vice versa. */
export const BASES = {
  second: ['_ 0 12 * * ?', '_ */5 * ? * MON-FRI', '_ 30 9 L * ? 2030'],
  minute: ['0 _ 12 * * ?', '0 _ * ? * MON-FRI', '15 _ 9 L * ? 2030'],
  hour: ['0 0 _ * * ?', '0 */5 _ ? * MON-FRI', '15 30 _ L * ? 2030'],
  dayOfMonth: ['0 0 12 _ * ?', '0 */5 * _ JAN-JUN ?', '15 30 9 _ * ? 2030'],
  month: ['0 0 12 * _ ?', '0 */5 * ? _ MON-FRI', '15 30 9 L _ ? 2030'],
  dayOfWeek: ['0 0 12 ? * _', '0 */5 * ? JAN-JUN _', '15 30 9 ? * _ 2030'],
  year: ['0 0 12 * * ? _', '0 */5 * ? * MON-FRI _', '15 30 9 L * ? _'],
};

/** Wrong number of fields (0..5; 8+ fields are accepted, see the lenient corpus). */
// prettier-ignore
export const FIELD_COUNT = [
  '', ' ', '   ', '0', '*', '?', '0/5', 'L', '0 0', '* *', '0 0/5', '0 0 12', '* * *', '0 0 0', '0 0 12 *',
  '0 0 12 ?', '0 0 12 1', '* * * *', '0 0 12 * *', '0 0 12 ? *', '0 0 12 1 JAN', '* * * * ?', '0 0 9 ? MON-FRI',
  // Unix (5-field) cron: minute hour day-of-month month day-of-week
  '* * * * *', '0 * * * *', '*/5 * * * *', '*/15 * * * *', '0 0 * * *', '0 0 * * 0', '30 2 * * 1-5',
  '0 9 * * MON-FRI', '0 0 1 * *', '0 0 1 1 *', '15 10 * * *',
  // nicknames
  '@hourly', '@daily', '@midnight', '@weekly', '@monthly', '@yearly', '@annually', '@reboot', '@every 5m',
];

/** Both day-of-month and day-of-week restricted (or both `?`). */
export const BOTH_DAYS_DOM = ['1', '15', '*', 'L', 'LW', '1-5', '1,15', 'L-3', '15W', '*/5', '31'];
export const BOTH_DAYS_DOW = ['MON', '*', '1', 'MON-FRI', '6L', '2#1', 'L', '1-7', '*/2', 'SUN,SAT'];
export const BOTH_DAYS_FIXED = [
  '0 0 12 1 * MON',
  '* * * * * *',
  '0 0 12 * * *',
  '0 0 12 * * MON',
  '0 0 12 1 * *',
  '0 0 12 ? * ?',
  '* * * ? * ?',
  '0 0 12 ? JAN ?',
  '0 0 12 ? * ? 2030',
  '0 0 12 L * L',
  '0 15 10 L * 6L',
  '0 0 9 1W * MON#1',
];
