/**
 * The JIM surface's pure pieces: .NET's command-line splitting of `arguments` (the examples of
 * Microsoft's "Parsing C++ command-line arguments", which .NET's Process follows), its inverse, the
 * Quartz → 5-field cron rewriting, and the duplicate-property scan.
 */

import { describe, expect, it } from 'vitest';
import { joinArguments, splitArguments } from '../../../src/compat/jim/args.js';
import { toJimCron } from '../../../src/compat/jim/cron.js';
import { duplicateProperty } from '../../../src/compat/jim/json-parser.js';
import { derivedCron } from '../../../src/compat/jim/schedule-map.js';

describe('splitArguments (Windows / .NET command-line rules)', () => {
  const cases: [string, string[]][] = [
    ['"abc" d e', ['abc', 'd', 'e']],
    ['a\\\\b d"e f"g h', ['a\\\\b', 'de fg', 'h']],
    ['a\\\\\\"b c d', ['a\\"b', 'c', 'd']],
    ['a\\\\\\\\"b c" d e', ['a\\\\b c', 'd', 'e']],
    ['a"b"" c d', ['ab" c d']],
    ['-ReportType Summary -SendEmail', ['-ReportType', 'Summary', '-SendEmail']],
    ["it's 'single' quoted", ["it's", "'single'", 'quoted']],
    ['  spaced\tout  ', ['spaced', 'out']],
    ['C:\\scripts\\x.ps1 ""', ['C:\\scripts\\x.ps1', '']],
    ['', []],
  ];
  for (const [text, argv] of cases) it(`${JSON.stringify(text)} → ${JSON.stringify(argv)}`, () => expect(splitArguments(text)).toEqual(argv));

  it('joinArguments is its inverse', () => {
    for (const argv of [['a', 'b c'], ['say "hi"'], ['ends\\'], ['back\\"slash'], [''], ['x', '', 'y'], ['C:\\Program Files\\a.exe', '-x']]) {
      expect(splitArguments(joinArguments(argv))).toEqual(argv);
    }
  });
});

describe('toJimCron', () => {
  const cases: [string, 'unix' | 'quartz', string | null][] = [
    ['0 0 6 ? * MON-FRI', 'quartz', '0 6 * * 1-5'],
    ['0 0 6,12,18 ? * *', 'quartz', '0 6,12,18 * * *'],
    ['0 0 2 ? * SUN,SAT', 'quartz', '0 2 * * 0,6'],
    ['0 0/30 8-17/1 ? * MON-FRI', 'quartz', '*/30 8-17 * * 1-5'],
    ['0 0 0/2 ? * *', 'quartz', '0 */2 * * *'],
    ['0 0 8-8/1 ? * 2-6', 'quartz', '0 8 * * 1-5'],
    ['0 5/15 * * * ?', 'quartz', '5-59/15 * * * *'],
    ['0 30 2 * * ?', 'quartz', '30 2 * * *'],
    ['0 0 12 L * ?', 'quartz', null],
    ['0 0 12 ? * 6#3', 'quartz', null],
    ['30 0 12 * * ?', 'quartz', null],
    ['0 50 19 5 5 ? 2027', 'quartz', null],
    ['0 3 1-7 * 1', 'unix', '0 3 1-7 * 1'],
    ['0 */5 * * * *', 'unix', '*/5 * * * *'],
  ];
  for (const [expr, dialect, want] of cases) it(`${expr} (${dialect}) → ${want}`, () => expect(toJimCron(expr, dialect)).toBe(want));

  it('derives from sked schedules, or null where one cron cannot say it', () => {
    expect(derivedCron({ type: 'daily', daysOfWeek: [1, 2, 3, 4, 5], times: ['06:00'], timeZone: 'UTC' })).toBe('0 6 * * 1-5');
    expect(derivedCron({ type: 'daily', daysOfWeek: [1], times: ['06:00', '07:30'] })).toBeNull();
    expect(derivedCron({ type: 'window', daysOfWeek: [1, 2, 3, 4, 5], every: 'PT30M', from: '08:30', to: '18:00' })).toBeNull();
    expect(derivedCron({ type: 'manual' })).toBeNull();
  });
});

describe('duplicateProperty', () => {
  it('finds a name given twice in one object (case-insensitively), and only there', () => {
    expect(duplicateProperty('{"a": 1, "b": 2}')).toBeNull();
    expect(duplicateProperty('{"a": 1, "A": 2}')).toBe('a');
    expect(duplicateProperty('{"a": {"x": 1}, "b": {"x": 2}}')).toBeNull();
    expect(duplicateProperty('{"steps": [{"x": 1, "y": "x"}, {"x": 2}]}')).toBeNull();
    expect(duplicateProperty('{"steps": [{"x": 1, "x": 2}]}')).toBe('x');
    expect(duplicateProperty('{"s": "a\\"b", "t": ["a", "a"], "s\\u0041": 1}')).toBeNull();
    expect(duplicateProperty('{"k": "v", "nested": {"k": "v"}, "k": 1}')).toBe('k');
  });
});
