import { describe, expect, it } from 'vitest';
import { matchTrigger } from '../../../chat-core/src/webhooks/outgoing-trigger.js';
import { processSlackText } from '../../../chat-core/src/webhooks/slack-text.js';

const CHANNEL = 'c'.repeat(26);
const hook = (channel_id: string, words: string[], trigger_when: number) => ({ channel_id, trigger_words: JSON.stringify(words), trigger_when });

describe('which outgoing hooks a post fires', () => {
  it('matches the first word exactly when trigger_when is 0', () => {
    expect(matchTrigger(hook('', ['deploy', 'ship'], 0), CHANNEL, 'ship')).toBe('ship');
    expect(matchTrigger(hook('', ['deploy'], 0), CHANNEL, 'deployed')).toBeUndefined();
    expect(matchTrigger(hook('', ['deploy'], 0), CHANNEL, 'Deploy')).toBeUndefined();
  });

  it('matches a prefix of the first word when trigger_when is 1, naming the trigger that matched', () => {
    expect(matchTrigger(hook('', ['!bu', '!de'], 1), CHANNEL, '!build')).toBe('!bu');
    expect(matchTrigger(hook('', ['!bu'], 1), CHANNEL, 'x!build')).toBeUndefined();
  });

  it('fires a channel hook without trigger words on every post of its channel, never an empty first word otherwise', () => {
    expect(matchTrigger(hook(CHANNEL, [], 0), CHANNEL, '')).toBe('');
    expect(matchTrigger(hook(CHANNEL, [], 0), 'd'.repeat(26), 'anything')).toBeUndefined();
    expect(matchTrigger(hook('', ['a'], 1), CHANNEL, '')).toBeUndefined();
  });

  it('treats unreadable stored trigger words as none', () => {
    expect(matchTrigger({ channel_id: '', trigger_words: 'not json', trigger_when: 0 }, CHANNEL, 'x')).toBeUndefined();
  });
});

describe('Slack markup in webhook text', () => {
  it('turns <url|text> into a Markdown link and <!channel> into @channel', () => {
    expect(processSlackText('See <https://x.example/a|the build> <!channel> <!here>')).toBe('See [the build](https://x.example/a) @channel @here');
    expect(processSlackText('plain <b> text')).toBe('plain <b> text');
  });
});
