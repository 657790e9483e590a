// Failures of reading or writing the index in the data folder.

/** Thrown when the data folder has no index yet. */
export class IndexNotFoundError extends Error {
  override readonly name = 'IndexNotFoundError';

  constructor(readonly dataDir: string) {
    super(`No index found in ${dataDir}. Run \`ragbot ingest <folder>\` first, or set DATA_DIR to the folder that holds the index.`);
  }
}

/** Thrown when the index was built with another embedding model, vector size or dtype than the one configured. */
export class IndexMismatchError extends Error {
  override readonly name = 'IndexMismatchError';

  constructor(
    readonly dataDir: string,
    readonly field: 'model' | 'dims' | 'dtype',
    readonly indexed: string | number,
    readonly configured: string | number,
  ) {
    const variable = field === 'dtype' ? 'EMBEDDING_DTYPE' : 'EMBEDDING_MODEL';
    super(
      `The index in ${dataDir} was built with ${field} ${indexed}, but the embedder uses ${field} ${configured}. ` +
        `Re-ingest with the current model (\`ragbot ingest\`), or set ${variable} back to the value the index was built with.`,
    );
  }
}

/** Thrown when index files are missing, truncated or inconsistent with the manifest. */
export class IndexCorruptError extends Error {
  override readonly name = 'IndexCorruptError';

  constructor(
    readonly indexDir: string,
    readonly problem: string,
    cause?: unknown,
  ) {
    super(`The index in ${indexDir} is unreadable: ${problem}. Re-ingest to rebuild it (\`ragbot ingest\`).`, cause === undefined ? undefined : { cause });
  }
}

/** Thrown when another ingest holds the lock of the data folder. */
export class IngestLockedError extends Error {
  override readonly name = 'IngestLockedError';

  constructor(
    readonly lockFile: string,
    readonly holderPid: number,
  ) {
    super(`Another ingest (process ${holderPid}) is writing this data folder. Wait for it to finish, or delete ${lockFile} if that process no longer runs.`);
  }
}
