/** Slack markup in webhook text, rewritten as Mattermost does (ProcessSlackText, CreateWebhookPost). */

const LINK_WITH_TEXT = /<([^\n<|>]+)\|([^|\n>]+)>/g;
const ANNOUNCEMENT = /<!(channel|all|here)>/g;

export function processSlackText(text: string): string {
  return text.replace(ANNOUNCEMENT, '@$1').replace(LINK_WITH_TEXT, '[$2]($1)');
}
