// What the notification settings amount to on this server: the channels a
// user can choose (the server delivers them), why a channel delivers
// nothing, and per kind the channels messages will actually arrive over.
// `GET/PUT /notifications/preferences` answer with `channel_status` and
// `delivered`; while the user edits, the same rule predicts `delivered`.
import type { Channel, ChannelStatus, NotificationSettings } from '../api/types'

/**
 * `channel_status`: per channel, whether the server delivers it (`available`:
 * Telegram needs a bot, e-mail an SMTP server) and the user can be reached
 * there (`reachable`: Telegram needs a linked chat). `channels`: per kind, the
 * channels wanted (a kind left out gets every channel); `delivered`: per kind,
 * the channels that will actually arrive.
 */
export type { Channel, ChannelStatus, NotificationSettings }
/**
 * The channels a user chooses per kind. The in-app list (`in_app`, the bell
 * in the header) is always on and not a choice: it is not among them.
 */
export type ChosenChannel = Exclude<Channel, 'in_app'>
export const CHANNELS: ChosenChannel[] = ['email', 'telegram']
const chosen = (c: Channel): c is ChosenChannel => (CHANNELS as Channel[]).includes(c)
export const KINDS = [
  'new_assignment',
  'deadline_reminder',
  'quiz_reminder',
  'homework_graded',
  'homework_returned',
  'webinar_scheduled',
  'webinar_changed',
  'webinar_reminder',
  'achievement_awarded',
  'submission_comment',
  'announcement',
] as const
export type Kind = (typeof KINDS)[number]

/** Per kind and channel, whether the user wants it. */
export type Wanted = Record<Kind, Record<ChosenChannel, boolean>>

/** The stored preferences as checkboxes (a kind left out: every channel). */
export function wantedFrom(s: Pick<NotificationSettings, 'channels'>): Wanted {
  const m = {} as Wanted
  for (const k of KINDS) {
    const chosen = s.channels[k]
    m[k] = { email: chosen ? chosen.includes('email') : true, telegram: chosen ? chosen.includes('telegram') : true }
  }
  return m
}

/** The checkboxes as the request's `channels` (hidden channels keep their value). */
export function channelsOf(wanted: Wanted): Record<Kind, ChosenChannel[]> {
  const out = {} as Record<Kind, ChosenChannel[]>
  for (const k of KINDS) out[k] = CHANNELS.filter((c) => wanted[k][c])
  return out
}

/**
 * Fills in `channel_status` and `delivered` for a server that does not send
 * them yet (e-mail assumed delivered; Telegram as `telegram_available`/`_linked`).
 */
export function normalized(s: NotificationSettings): NotificationSettings {
  const channel_status: ChannelStatus[] = Array.isArray(s.channel_status)
    ? s.channel_status
    : [
        { channel: 'email', available: true, reachable: true },
        { channel: 'telegram', available: !!s.telegram_available, reachable: !!s.telegram_linked },
      ]
  const channels = s.channels ?? {}
  let delivered = s.delivered
  if (!delivered || typeof delivered !== 'object') {
    const wanted = wantedFrom({ channels })
    delivered = Object.fromEntries(KINDS.map((k) => [k, arriving(channel_status, wanted[k])]))
  }
  return { ...s, channels, channel_status, delivered }
}

/** The channels a user can choose: the ones the server delivers. */
export function offered(status: ChannelStatus[]): ChosenChannel[] {
  return CHANNELS.filter((c) => status.some((s) => s.channel === c && s.available))
}

/** Why a channel delivers nothing to this user, or null when it delivers. */
export function channelProblem(status: ChannelStatus[], c: ChosenChannel): 'unavailable' | 'not_linked' | null {
  const s = status.find((x) => x.channel === c)
  if (!s || !s.available) return 'unavailable'
  return s.reachable ? null : 'not_linked'
}

/** The channels a kind arrives over with these wishes (the server's rule). */
export function arriving(status: ChannelStatus[], wanted: Record<ChosenChannel, boolean>): ChosenChannel[] {
  return CHANNELS.filter((c) => channelProblem(status, c) === null && wanted[c])
}

/**
 * Per kind, what will arrive: the server's `delivered` for the saved
 * wishes, the same rule for ones changed and not saved yet.
 */
export function deliveredNow(s: NotificationSettings, wanted: Wanted): Record<Kind, ChosenChannel[]> {
  const saved = wantedFrom(s)
  const out = {} as Record<Kind, ChosenChannel[]>
  for (const k of KINDS) {
    const same = CHANNELS.every((c) => saved[k][c] === wanted[k][c])
    // The in-app list gets everything anyway; the page speaks of the chosen channels.
    out[k] = same && s.delivered[k] ? s.delivered[k].filter(chosen) : arriving(s.channel_status, wanted[k])
  }
  return out
}

/**
 * The whole picture: `none_server` (the server delivers no channel),
 * `none` (nothing arrives), `some` (some kinds arrive nowhere) or `all`.
 */
export function summary(status: ChannelStatus[], delivered: Record<Kind, Channel[]>): 'none_server' | 'none' | 'some' | 'all' {
  if (!offered(status).length) return 'none_server'
  const empty = KINDS.filter((k) => !delivered[k].filter(chosen).length).length
  return empty === KINDS.length ? 'none' : empty ? 'some' : 'all'
}
