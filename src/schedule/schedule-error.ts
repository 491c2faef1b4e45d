/** A schedule that cannot be compiled, with a JSON pointer into the schedule object. */
export class ScheduleError extends Error {
  /** JSON pointer relative to the schedule object, e.g. `/expression` or `/times/1`. */
  readonly pointer: string;

  constructor(pointer: string, message: string) {
    super(message);
    this.name = 'ScheduleError';
    this.pointer = pointer;
  }
}
