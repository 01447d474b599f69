/** The services' JSON log lines that parse, from what a service printed so far. */
export const logLines = (logs: string[]): Array<Record<string, unknown>> =>
  logs
    .join('')
    .split('\n')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
