// The bench's console output: one line at a time to stdout (its reports are meant to be read there).
export const say = (line) => process.stdout.write(`${line}\n`);
