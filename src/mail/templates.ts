/**
 * The messages Gatehouse mails, each as a subject, a plain-text part complete on its own and a
 * branded HTML part: inline styles only, no images or other external assets (mail clients block
 * them, and fetching them would tell a third party the mail was opened), every interpolated value
 * HTML-escaped.
 */
import { escapeHtml } from '../views/html.js';

export interface MailContent { subject: string; text: string; html: string }

export interface GuestInvitationInput {
  siteName: string;
  siteUrl: string;
  inviterName: string;
  teamName: string;
  channelNames: string[];
  /** The single-use link; a secret, so it appears in the message and nowhere else. */
  acceptUrl: string;
  expiresAt: Date;
  /** The inviter's note; cut to `PERSONAL_MESSAGE_MAX` characters. */
  personalMessage?: string;
}

export const PERSONAL_MESSAGE_MAX = 500;
const NAME_MAX = 100;
const BRAND = '#1c58d9';

/** The invitation a guest receives: who invites them, to which team and channels, the link, when it expires. */
export function guestInvitationMessage(input: GuestInvitationInput): MailContent {
  const acceptUrl = httpUrl(input.acceptUrl, 'acceptUrl');
  const siteUrl = httpUrl(input.siteUrl, 'siteUrl').replace(/\/$/, '');
  const siteName = oneLine(input.siteName, NAME_MAX) || 'Gatehouse';
  const inviter = oneLine(input.inviterName, NAME_MAX) || 'Someone';
  const team = oneLine(input.teamName, NAME_MAX) || 'a team';
  const channels = input.channelNames.map((c) => oneLine(c, NAME_MAX)).filter((c) => c !== '');
  const note = personalMessage(input.personalMessage);
  const expires = formatExpiry(input.expiresAt);
  const channelLine = channels.length === 0 ? 'the channels chosen for you' : channels.length === 1 ? 'one channel' : `${channels.length} channels`;

  const subject = `${inviter} invited you to ${team} on ${siteName}`;
  const text = [
    'Hello,',
    '',
    `${inviter} has invited you to join the team "${team}" on ${siteName} as a guest, with access to ${channelLine}:`,
    ...channels.map((c) => `  - ${c}`),
    ...(note ? ['', `${inviter} wrote:`, ...note.split('\n').map((l) => `  > ${l}`)] : []),
    '',
    'To accept, open this link:',
    acceptUrl,
    '',
    `The link works once and expires on ${expires}. After that, ask ${inviter} to invite you again.`,
    'If you did not expect this invitation, ignore this e-mail: nothing happens unless the link is opened.',
    '',
    `-- ${siteName}, ${siteUrl}`,
    '',
  ].join('\n');

  const e = escapeHtml;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${e(subject)}</title></head>
<body style="margin:0;padding:0;background:#f4f5f7;font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#1e2329">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f5f7;padding:24px 0"><tr><td align="center">
<table role="presentation" width="560" cellpadding="0" cellspacing="0" style="max-width:560px;width:100%;background:#ffffff;border-radius:8px;overflow:hidden">
<tr><td style="background:${BRAND};color:#ffffff;padding:16px 28px;font-size:18px;font-weight:600">${e(siteName)}</td></tr>
<tr><td style="padding:28px;font-size:15px;line-height:1.5">
<p style="margin:0 0 16px">Hello,</p>
<p style="margin:0 0 16px"><strong>${e(inviter)}</strong> has invited you to join the team <strong>${e(team)}</strong> on ${e(siteName)} as a guest, with access to ${e(channelLine)}:</p>
${channels.length ? `<ul style="margin:0 0 16px;padding-left:20px">${channels.map((c) => `<li>${e(c)}</li>`).join('')}</ul>` : ''}
${note ? `<p style="margin:0 0 6px">${e(inviter)} wrote:</p><blockquote style="margin:0 0 16px;padding:8px 14px;border-left:3px solid #c4c9d0;color:#3d444d">${e(note).replace(/\n/g, '<br>')}</blockquote>` : ''}
<p style="margin:24px 0"><a href="${e(acceptUrl)}" style="display:inline-block;background:${BRAND};color:#ffffff;text-decoration:none;padding:12px 22px;border-radius:4px;font-weight:600">Accept the invitation</a></p>
<p style="margin:0 0 16px;font-size:13px;color:#5d6670">Or copy this link into your browser:<br><span style="word-break:break-all">${e(acceptUrl)}</span></p>
<p style="margin:0 0 16px">The link works once and expires on <strong>${e(expires)}</strong>. After that, ask ${e(inviter)} to invite you again.</p>
<p style="margin:0;font-size:13px;color:#5d6670">If you did not expect this invitation, ignore this e-mail: nothing happens unless the link is opened.</p>
</td></tr>
<tr><td style="padding:14px 28px;border-top:1px solid #e3e6ea;font-size:12px;color:#5d6670">${e(siteName)} &middot; ${e(siteUrl)}</td></tr>
</table></td></tr></table>
</body></html>
`;
  return { subject, text, html };
}

/** e.g. "Tuesday 2 June 2026 at 14:30 UTC": unambiguous whatever the reader's locale. */
function formatExpiry(at: Date): string {
  if (Number.isNaN(at.getTime())) throw new Error('expiresAt must be a valid date');
  const formatted = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', dateStyle: 'full', timeStyle: 'short' }).format(at);
  return `${formatted} UTC`;
}

function httpUrl(value: string, name: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} must be an absolute http(s) URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`${name} must be an absolute http(s) URL`);
  return url.href;
}

/** Control characters (line breaks included) would let a name add mail headers or fake lines. */
function oneLine(value: string, max: number): string {
  return truncate(value.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+/gu, ' ').replace(/\s+/g, ' ').trim(), max);
}

function personalMessage(value: string | undefined): string {
  if (!value) return '';
  const cleaned = value
    .replace(/\r\n?/g, '\n')
    .replace(/[^\P{Cc}\n\t]|[\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return truncate(cleaned, PERSONAL_MESSAGE_MAX);
}

/** Cut to `max` characters (code points, so no half surrogate pair), marking the cut with an ellipsis. */
function truncate(value: string, max: number): string {
  const chars = [...value];
  return chars.length <= max ? value : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

/** The security notice sent when a recovery code signs someone in: what happened, and what to do. */
export function recoveryCodeUsedMessage(input: { siteName: string; siteUrl: string; username: string; remaining: number; at: Date; ip: string }): MailContent {
  const siteName = oneLine(input.siteName, 100);
  const siteUrl = httpUrl(input.siteUrl, 'siteUrl');
  const when = formatExpiry(input.at);
  const subject = `${siteName}: a recovery code was used to sign in`;
  const lines = [
    `Hello ${oneLine(input.username, 64)},`,
    '',
    `A recovery code was used to sign in to your ${siteName} account on ${when}${input.ip ? ` from ${oneLine(input.ip, 64)}` : ''}.`,
    `${input.remaining} unused recovery code${input.remaining === 1 ? '' : 's'} left.`,
    '',
    'If this was you, consider making new recovery codes and setting up your authenticator again.',
    'If it was not you, change your password now and ask an administrator to reset your two-factor authentication.',
    '',
    siteUrl,
  ];
  const e = escapeHtml;
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${e(subject)}</title></head><body style="font-family:system-ui,sans-serif;color:#1e2329">${lines.map((l) => (l ? `<p style="margin:0 0 12px">${e(l)}</p>` : '')).join('')}</body></html>`;
  return { subject, text: `${lines.join('\n')}\n`, html };
}
