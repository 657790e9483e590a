// `ragbot serve`: the whole product. HTTP endpoints, the knowledge base, the
// answering engine and every configured chat platform, in one process.
import type { Command } from 'commander';
import type { RegisterCommand } from '../run.js';

/** Registers `ragbot serve`. */
export const registerServe: RegisterCommand = (program: Command, run) => {
  program
    .command('serve')
    .description('Serve /healthz, /readyz and /metrics, ingest the knowledge folder when there is no index, and answer on Discord and Slack when their tokens are set.')
    .option('--port <port>', 'HTTP port (overrides PORT; 0 picks a free port)')
    .option('--host <address>', 'address to bind (overrides HOST)')
    .option('--data-dir <folder>', 'folder of the index and saved sessions (overrides DATA_DIR)')
    .option('--knowledge-dir <folder>', 'folder of documents to ingest (overrides KNOWLEDGE_DIR)')
    .action(async (options: { port?: string; host?: string; dataDir?: string; knowledgeDir?: string }) => {
      const overrides = { PORT: options.port, HOST: options.host, DATA_DIR: options.dataDir, KNOWLEDGE_DIR: options.knowledgeDir };
      await run(async ({ config }) => {
        const { runServe } = await import('../../service/run-serve.js');
        await runServe(config);
      }, overrides);
    });
};
