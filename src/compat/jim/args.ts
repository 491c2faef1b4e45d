/**
 * JIM's `arguments` is one string, which .NET's Process.Start splits into argv (the Windows command-line
 * rules, which .NET applies on every platform): whitespace separates; double quotes group; inside quotes
 * `""` is a literal quote; backslashes are literal except before a double quote, where 2n backslashes
 * give n and the quote keeps its meaning, and 2n+1 give n and a literal quote. Single quotes are plain
 * characters.
 */
export function splitArguments(text: string | null): string[] {
  if (text === null) return [];
  const args: string[] = [];
  let current = '';
  let inArg = false;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\') {
      let n = 0;
      while (text[i + n] === '\\') n++;
      if (text[i + n] === '"') {
        current += '\\'.repeat(Math.floor(n / 2));
        if (n % 2 === 1) current += '"';
        else quoted = !quoted;
        i += n;
      } else {
        current += '\\'.repeat(n);
        i += n - 1;
      }
      inArg = true;
    } else if (c === '"') {
      if (quoted && text[i + 1] === '"') {
        current += '"';
        i++;
      } else {
        quoted = !quoted;
      }
      inArg = true;
    } else if ((c === ' ' || c === '\t') && !quoted) {
      if (inArg) args.push(current);
      current = '';
      inArg = false;
    } else {
      current += c;
      inArg = true;
    }
  }
  if (inArg) args.push(current);
  return args;
}

/** The inverse: argv as one string that splitArguments reads back as the same argv. */
export function joinArguments(args: readonly string[]): string {
  return args
    .map((a) => {
      if (a !== '' && !/[\s"]/.test(a)) return a;
      // Backslashes before a quote (or the closing quote) are doubled; a quote is escaped.
      return `"${a.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, '$1$1')}"`;
    })
    .join(' ');
}
