// The in-app notification list (the bell) in words: each entry as a sentence
// in the UI language from its `kind` and data (titles, dates in the user's
// zone, scores, badges), when it arrived ("5 минут назад"), and the bell's
// count ("99+"). Pure: the translation function, language, zone and the
// current time come in as a `Speech`.
import type { NoticeData } from '../api/types'
import { formatNumber } from './format'

/** What a sentence needs: `t` of vue-i18n, the UI language, the user's zone and now (ms). */
export interface Speech {
  t: (key: string, params?: Record<string, unknown>) => string
  locale: 'ru' | 'en'
  timeZone: string
  now: number
}

/** How many the server counts at most (`GET /notifications/inbox/unread`). */
export const UNREAD_CAP = 100
/** Entries in the bell's panel; the page loads this many more each time. */
export const PANEL_SIZE = 10
export const PAGE_SIZE = 50

/** The bell's badge: nothing at 0, "99+" above 99. */
export function unreadLabel(n: number): string {
  if (!Number.isFinite(n) || n <= 0) return ''
  return n > 99 ? '99+' : String(Math.floor(n))
}

/** The bell button's accessible name: how many are unread. */
export function bellLabel(n: number, t: Speech['t']): string {
  if (!Number.isFinite(n) || n <= 0) return t('bell.label_none')
  return n > 99 ? t('bell.label_many') : t('bell.label_some', { n: Math.floor(n) })
}

const tag = (locale: string) => (locale === 'en' ? 'en-GB' : 'ru-RU')
const yearOf = (ms: number, timeZone: string) => new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric' }).format(ms)

/** "12 дек., 23:59" (the year too when it is not this year's); "—" without one. */
export function shortWhen(iso: string | null | undefined, s: Pick<Speech, 'locale' | 'timeZone' | 'now'>): string {
  const ms = iso ? Date.parse(iso) : NaN
  if (isNaN(ms)) return '—'
  const opts: Intl.DateTimeFormatOptions = { timeZone: s.timeZone, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }
  if (yearOf(ms, s.timeZone) !== yearOf(s.now, s.timeZone)) opts.year = 'numeric'
  return new Intl.DateTimeFormat(tag(s.locale), opts).format(ms)
}

/** "10 минут", "24 часа", "2 hours" (the language's plural forms). */
export function amount(n: number, unit: 'minute' | 'hour', locale: string): string {
  return new Intl.NumberFormat(tag(locale), { style: 'unit', unit, unitDisplay: 'long' }).format(n)
}

/** When an entry arrived: "только что", "5 минут назад", "3 часа назад", else the short date. */
export function ago(iso: string, s: Speech): string {
  const ms = Date.parse(iso)
  if (isNaN(ms)) return '—'
  const minutes = Math.floor((s.now - ms) / 60_000)
  if (minutes < 1) return s.t('bell.just_now')
  const rtf = new Intl.RelativeTimeFormat(tag(s.locale), { numeric: 'auto' })
  if (minutes < 60) return rtf.format(-minutes, 'minute')
  if (minutes < 24 * 60) return rtf.format(-Math.floor(minutes / 60), 'hour')
  return shortWhen(iso, s)
}

/** The entry as one sentence: «Новое задание «ДЗ 1» по курсу «Алгебра», срок 12 дек., 23:59». */
export function sentence(n: NoticeData, s: Speech): string {
  const { t } = s
  const when = (iso: string | null | undefined) => shortWhen(iso, s)
  switch (n.event) {
    case 'new_assignment':
      return t('bell.new_assignment', { title: n.title, course: n.course_title, due: when(n.due_at) })
    case 'deadline_reminder':
      return t('bell.deadline_reminder', { title: n.title, course: n.course_title, left: amount(n.hours_before, 'hour', s.locale), due: when(n.due_at) })
    case 'quiz_reminder':
      return t('bell.quiz_reminder', { title: n.title, course: n.course_title, left: amount(n.hours_before, 'hour', s.locale), at: when(n.closes_at) })
    case 'homework_graded':
      return t('bell.homework_graded', { title: n.title, score: formatNumber(n.score, s.locale), max: formatNumber(n.max_score, s.locale) })
    case 'homework_returned':
      return t('bell.homework_returned', { title: n.title })
    case 'webinar_scheduled':
      return t('bell.webinar_scheduled', { title: n.title, course: n.course_title, at: when(n.starts_at) })
    case 'webinar_changed':
      if (n.cancelled) return t('bell.webinar_cancelled', { title: n.title })
      return n.starts_at ? t('bell.webinar_moved', { title: n.title, at: when(n.starts_at) }) : t('bell.webinar_changed', { title: n.title })
    case 'webinar_reminder':
      return t('bell.webinar_reminder', { title: n.title, left: amount(n.minutes_before, 'minute', s.locale), at: when(n.starts_at) })
    case 'achievement_awarded':
      return t('bell.achievement_awarded', { badge: t('badges.' + n.badge) })
    case 'submission_comment':
      return t('bell.submission_comment', { author: n.author_name, title: n.title })
    case 'announcement':
      return t('bell.announcement', { course: n.course_title, title: n.title })
    default:
      // Account messages (invitations, password resets) are never listed;
      // a kind newer than this UI still gets a line.
      return t('bell.other')
  }
}
