/** Queue names are part of a deployment: never rename a value. */
export enum QueueName {
  Generation = 'generation',
  History = 'history',
}

export enum GenerationJobName {
  Generate = 'generate',
}

export enum HistoryJobName {
  TurnStarted = 'turn-started',
  TurnFinished = 'turn-finished',
}
