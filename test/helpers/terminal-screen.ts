/**
 * What a terminal shows for the bytes written to it: enough of a VT100 for what readline and
 * cli-progress send (cursor moves, line and screen clears, autowrap on/off). Lets a test read the
 * screen a user would see instead of matching escape sequences.
 */
export class TerminalScreen {
  readonly lines: string[][] = [[]];
  private row = 0;
  private column = 0;
  private autowrap = true;
  readonly isTTY = true;

  constructor(readonly columns = 100) {}

  /** The stream side: cli-progress and readline call write() and read isTTY/columns. */
  write(chunk: string | Uint8Array): boolean {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    let index = 0;
    while (index < text.length) {
      const escape = /^\x1b\[(\??)(\d*)([A-Za-z])/.exec(text.slice(index));
      if (escape) {
        this.control(escape[1]!, escape[2] === '' ? undefined : Number(escape[2]), escape[3]!);
        index += escape[0].length;
        continue;
      }
      const char = String.fromCodePoint(text.codePointAt(index)!);
      index += char.length;
      if (char === '\n') {
        // A TTY's output processing (onlcr) turns LF into CR LF.
        this.row++;
        this.column = 0;
      } else if (char === '\r') this.column = 0;
      else this.put(char);
    }
    return true;
  }

  /** The screen as text, trailing blanks trimmed. */
  text(): string[] {
    return this.lines.map((line) => line.join('').replace(/\s+$/, ''));
  }

  private put(char: string): void {
    if (this.column >= this.columns) {
      if (!this.autowrap) return;
      this.row++;
      this.column = 0;
    }
    const line = this.line();
    while (line.length < this.column) line.push(' ');
    line[this.column++] = char;
  }

  private line(): string[] {
    while (this.lines.length <= this.row) this.lines.push([]);
    return this.lines[this.row]!;
  }

  private control(privateMode: string, value: number | undefined, command: string): void {
    if (privateMode === '?') {
      if (value === 7) this.autowrap = command === 'h';
      return;
    }
    const count = value ?? 1;
    const line = this.line();
    switch (command) {
      case 'A':
        this.row = Math.max(0, this.row - count);
        break;
      case 'B':
        this.row += count;
        break;
      case 'C':
        this.column += count;
        break;
      case 'D':
        this.column = Math.max(0, this.column - count);
        break;
      case 'G':
        this.column = count - 1;
        break;
      case 'K':
        if ((value ?? 0) === 0) line.splice(this.column);
        else if (value === 1) for (let index = 0; index <= this.column && index < line.length; index++) line[index] = ' ';
        else line.length = 0;
        break;
      case 'J':
        if ((value ?? 0) === 0) {
          line.splice(this.column);
          this.lines.splice(this.row + 1);
        }
        break;
    }
  }
}
