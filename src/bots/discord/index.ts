// Public entry of the Discord adapter.
export { createDiscordAdapter, type DiscordAdapterOptions } from './adapter.js';
export { DiscordLoginError } from './api-errors.js';
export { buildAskCommand } from './commands.js';
