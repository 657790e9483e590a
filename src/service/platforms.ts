// Which chat platforms the configuration turns on, and the one log line that
// tells an operator how to turn on the others.
import type { Config } from '../config.js';

/** A platform that `ragbot serve` can connect to. */
export type PlatformName = 'discord' | 'slack';

/** Variables that turn each platform on, as shown in the start-up hint. */
export const platformVariables: Record<PlatformName, string> = {
  discord: 'DISCORD_TOKEN',
  slack: 'SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET (HTTP) or SLACK_APP_TOKEN (Socket Mode)',
};

/** Returns the platforms whose credentials are set, in start order. */
export function enabledPlatforms(config: Config): PlatformName[] {
  const platforms: PlatformName[] = [];
  if (config.discordToken !== undefined) platforms.push('discord');
  if (config.slackBotToken !== undefined && (config.slackSigningSecret !== undefined || config.slackAppToken !== undefined)) {
    platforms.push('slack');
  }
  return platforms;
}

/** Builds the start-up message naming the enabled platforms and the variables that enable the rest. */
export function platformHint(enabled: readonly PlatformName[]): string {
  const disabled = (Object.keys(platformVariables) as PlatformName[]).filter((p) => !enabled.includes(p));
  const parts: string[] = [];
  parts.push(enabled.length > 0 ? `Platforms enabled: ${enabled.join(', ')}.` : 'No chat platform is enabled, so only the HTTP endpoints run.');
  for (const platform of disabled) parts.push(`Set ${platformVariables[platform]} to enable ${platform}.`);
  return parts.join(' ');
}
