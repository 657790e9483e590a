// The `/ask` slash command: its definition and its registration at start-up.
import { InteractionContextType, Routes, SlashCommandBuilder, type REST, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { Logger } from '../../observability/logger.js';
import { isPermissionError } from './api-errors.js';

/** Name of the slash command. */
export const askCommandName = 'ask';

/** Discord's maximum length of a string option. */
const maxStringOption = 6000;

/** Builds the `/ask` command: `question` (required) and `compact` (shorter answer). */
export function buildAskCommand(maxQuestionChars: number): RESTPostAPIChatInputApplicationCommandsJSONBody {
  return new SlashCommandBuilder()
    .setName(askCommandName)
    .setDescription('Ask a question about the docs and get a cited answer.')
    .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM)
    .addStringOption((option) =>
      option
        .setName('question')
        .setDescription('Your question, e.g. "How do I add secrets to a Space?"')
        .setRequired(true)
        .setMaxLength(Math.min(maxQuestionChars, maxStringOption)),
    )
    .addBooleanOption((option) => option.setName('compact').setDescription('Give a shorter answer, e.g. to read on a phone.'))
    .toJSON();
}

/**
 * Registers `/ask` for the application: in one guild when `guildId` is set
 * (shows up at once, for testing), else globally. Creating a command with an
 * existing name replaces it, so other commands of the application stay.
 * Failures are logged, not thrown: mentions and DMs still work without it.
 */
export async function registerAskCommand(options: { rest: REST; applicationId: string; guildId: string | undefined; maxQuestionChars: number; logger: Logger }): Promise<boolean> {
  const { rest, applicationId, guildId, logger } = options;
  const route = guildId === undefined ? Routes.applicationCommands(applicationId) : Routes.applicationGuildCommands(applicationId, guildId);
  const scope = guildId === undefined ? 'globally' : `in guild ${guildId}`;

  try {
    await rest.post(route, { body: buildAskCommand(options.maxQuestionChars) });
    logger.info({ guildId }, `Registered /${askCommandName} ${scope}.`);
    return true;
  } catch (error) {
    const fix = isPermissionError(error)
      ? 'Invite the bot with the applications.commands scope (OAuth2 > URL Generator), and check DISCORD_GUILD_ID.'
      : 'Mentions and DMs still work; restart to try again.';
    logger.warn({ err: error, guildId }, `Failed to register /${askCommandName} ${scope}. ${fix}`);
    return false;
  }
}
