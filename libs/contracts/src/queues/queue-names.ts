/** Queue names are part of a deployment: never rename a value. */
export enum QueueName {
  Generation = 'generation',
}

export enum GenerationJobName {
  Generate = 'generate',
}
