// Bringing people into the school (issue #14): the CSV import's report in
// words, one-time links (invitation, password reset), password checks
// before sending, and the invitation lists.
import type { Translate } from './errors'
import type { ImportCounts, ImportReport, Invitation, RowAction, RowReport } from '../api/types'

export type { ImportCounts, ImportReport, Invitation, InvitationPreview, InvitationStatus, RowAction, RowReport } from '../api/types'

/** The largest import file the server takes (8 MiB). */
export const MAX_IMPORT_BYTES = 8 * 1024 * 1024
/** The shortest password the server takes, in characters. */
export const MIN_PASSWORD = 8

/** Every action, in the order the report's counts are shown. */
export const ACTIONS: RowAction[] = ['create', 'invite', 'update_invitation', 'enrol', 'skip', 'error']

/**
 * The locale key saying what a row does: `import_will.<action>` before the
 * import ("будет создан и приглашён"), `import_did.<action>` after it
 * ("создан и приглашён").
 */
export const actionKey = (action: RowAction, dryRun: boolean) => `import_${dryRun ? 'will' : 'did'}.${action}`

/** Rows that change something (the import has work to do). */
export const actionable = (counts: ImportCounts | null | undefined) =>
  counts ? counts.create + counts.invite + counts.update_invitation + counts.enrol : 0

/**
 * The details a reason names, read from the server's English message: the
 * value in “quotes” (the address, the course code, the course title) and a
 * line number ("the same address is on line 2").
 */
export function reasonParams(message: string | null | undefined): { value: string; line: string; role: string } {
  const m = message ?? ''
  return {
    value: /“([^”]*)”/.exec(m)?.[1] ?? '',
    line: /\bline (\d+)/.exec(m)?.[1] ?? '',
    role: /\brole (admin|teacher|assistant|student)\b/.exec(m)?.[1] ?? '',
  }
}

/**
 * Why a row does what it does, in the UI language: `import_codes.<code>`
 * (with the value, line or role the message names), else the server's
 * English message, else nothing.
 */
export function rowReason(row: Pick<RowReport, 'code' | 'message'>, translate: Translate): string {
  if (row.code) {
    const p = reasonParams(row.message)
    const role = p.role ? translate(`roles.${p.role}`) ?? p.role : ''
    const known = translate(`import_codes.${row.code}`, { ...p, role })
    if (known) return known
  }
  return row.message ?? ''
}

/** Why a chosen file cannot be sent: `too_large`, `empty`, or null when it can. */
export function fileProblem(file: { size: number } | null | undefined): 'too_large' | 'empty' | null {
  if (!file) return null
  if (file.size > MAX_IMPORT_BYTES) return 'too_large'
  if (file.size === 0) return 'empty'
  return null
}

/** About how many data rows a CSV text has (non-blank lines after the header). */
export function countRows(text: string): number {
  return Math.max(0, text.split(/\r\n|\n|\r/).filter((l) => l.trim() !== '').length - 1)
}

/** The headers of the import template, in the UI language (the server reads both). */
export const TEMPLATE_HEADERS: Record<'ru' | 'en', string[]> = {
  ru: ['почта', 'ФИО', 'роль', 'курсы', 'группа', 'язык', 'часовой пояс'],
  en: ['email', 'name', 'role', 'courses', 'group', 'locale', 'time_zone'],
}

/**
 * The import template: a `;`-separated UTF-8 file with a byte-order mark
 * (Excel opens it as it is), the headers and one example row.
 */
export function templateCsv(locale: 'ru' | 'en', exampleCourse = ''): string {
  const example =
    locale === 'en'
      ? ['anna.ivanova@example.org', 'Anna Ivanova', 'student', exampleCourse, '9A', 'en', 'Europe/London']
      : ['anna.ivanova@example.org', 'Иванова Анна', 'студент', exampleCourse, '9А', 'ru', 'Europe/Moscow']
  return `\uFEFF${TEMPLATE_HEADERS[locale].join(';')}\r\n${example.join(';')}\r\n`
}

/** A field of a report file: quoted when needed, formula-starting text defused (as the server writes it). */
function csvField(s: string): string {
  const v = /^[=+\-@]/.test(s) ? `'${s}` : s
  return /[;",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v
}

/**
 * A report as the server's `format=csv` writes it (line, email, action,
 * courses, code, message): for the report of an import already done,
 * which cannot be asked for again without importing again.
 */
export function reportCsv(report: ImportReport): string {
  const lines = ['line;email;action;courses;code;message']
  for (const r of report.rows)
    lines.push([String(r.line), r.email, r.action, r.course_ids.join(' '), r.code ?? '', r.message ?? ''].map(csvField).join(';'))
  return `\uFEFF${lines.join('\r\n')}\r\n`
}

/** What is wrong with a new password and its repetition, as a locale key (`password.short`), or null. */
export function passwordProblem(password: string, repeat: string): 'password.short' | 'password.mismatch' | null {
  if ([...password].length < MIN_PASSWORD) return 'password.short'
  if (password !== repeat) return 'password.mismatch'
  return null
}

/** Whether a one-time link failed because it is unknown/used (`invalid`) or too old (`expired`). */
export function linkProblem(err: unknown): 'invalid' | 'expired' | null {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined
  if (code === 'link_invalid') return 'invalid'
  if (code === 'link_expired') return 'expired'
  return null
}

/**
 * How a "forgot password" request ended, for the page: `sent` (the same
 * neutral answer whether or not the address has an account: any answer
 * that is not about the request itself counts as sent), `throttled`, or
 * `failed` (network or server trouble, or an address too long).
 */
export function resetRequestOutcome(err: unknown): 'sent' | 'throttled' | 'failed' {
  if (err == null) return 'sent'
  const e = err as { status?: number; code?: string }
  if (e.status === 429 || e.code === 'too_many_requests') return 'throttled'
  if (e.status === 0 || (e.status ?? 500) >= 500 || e.status === 422) return 'failed'
  return 'sent'
}

/** The toast key after inviting one address, by what the server did. */
export function invitedKey(report: Pick<RowReport, 'action' | 'code'>): string {
  if (report.action === 'skip') return report.code === 'already_invited' ? 'invite_done.already_invited' : 'invite_done.already_member'
  return `invite_done.${report.action}`
}

/** Whether a pending invitation's link has run out (it can be sent again). */
export const isExpired = (inv: Pick<Invitation, 'status' | 'expires_at'>, now = Date.now()) => inv.status === 'pending' && Date.parse(inv.expires_at) < now

