import type OpenAI from 'openai';
import type { AppConfig } from '../config/config.schema.js';

/** Inputs per `/embeddings` request: servers cap a batch (OpenAI at 2,048; Ollama is slower with big ones). */
const BATCH = 64;
const TIMEOUT_MS = 30_000;

/**
 * Any OpenAI-compatible `/v1/embeddings` (OpenAI, Ollama, vLLM, llama.cpp) through the official
 * client: history embeds sections at ingestion, generators embed questions
 * (docs/architecture.md "Knowledge base").
 */
export class EmbeddingsClient {
  /** Loaded on first use: the SDK is ~1.5 MB of heap that a process without embeddings never needs. */
  private client?: Promise<OpenAI>;

  constructor(
    private readonly baseUrl: string,
    readonly model: string,
    private readonly apiKey?: string,
    private readonly timeoutMs = TIMEOUT_MS,
  ) {}

  /** The configured client, or undefined when EMBEDDINGS_BASE_URL / EMBEDDINGS_MODEL are not both set. */
  static fromConfig(config: AppConfig, timeoutMs?: number): EmbeddingsClient | undefined {
    if (!config.EMBEDDINGS_BASE_URL || !config.EMBEDDINGS_MODEL) return undefined;
    return new EmbeddingsClient(config.EMBEDDINGS_BASE_URL, config.EMBEDDINGS_MODEL, config.EMBEDDINGS_API_KEY, timeoutMs);
  }

  /** One vector per text, in order. */
  async embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let i = 0; i < texts.length; i += BATCH) {
      const batch = texts.slice(i, i + BATCH);
      const res = await (await this.openai()).embeddings.create({ model: this.model, input: batch, encoding_format: 'float' }, { signal });
      const ordered = [...res.data].sort((a, b) => a.index - b.index);
      if (ordered.length !== batch.length) throw new Error(`the embeddings server returned ${ordered.length} vectors for ${batch.length} inputs`);
      for (const item of ordered) vectors.push(item.embedding);
    }
    return vectors;
  }

  private openai(): Promise<OpenAI> {
    this.client ??= import('openai').then(
      ({ default: OpenAI }) =>
        new OpenAI({
          baseURL: this.baseUrl,
          apiKey: this.apiKey ?? 'unused',
          defaultHeaders: this.apiKey ? undefined : { Authorization: null },
          timeout: this.timeoutMs,
          maxRetries: 1,
        }),
    );
    return this.client;
  }
}
