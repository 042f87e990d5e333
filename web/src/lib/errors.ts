import { ApiError } from '../api/http'

/** Looks a message up by key (with named parameters); undefined when the locale has none. */
export type Translate = (key: string, params?: Record<string, unknown>) => string | undefined

/**
 * What the form knew when it sent the request: its kind (`lesson`,
 * `assignment`, …) and the values of its fields, so that a 422 about an
 * empty field can say "Название урока не может быть пустым".
 */
export interface ErrorContext {
  form?: string
  values?: Record<string, unknown>
}

/** The locale key of a field: `late_policy.percent_per_day` → `late_policy_percent_per_day`. */
export const fieldKey = (field: string) => field.replace(/[^A-Za-z0-9_]/g, '_')

const blank = (v: unknown) => v == null || (typeof v === 'string' && v.trim() === '')

/** The server's message without the leading `field: ` it repeats. */
function serverDetail(field: string, message: string): string {
  let m = message.trim()
  const prefix = `${field}: `
  while (m.startsWith(prefix)) m = m.slice(prefix.length)
  return m
}

/**
 * A message naming the field and the fix, for an error about `field`:
 * `field_errors.<form>_<field>_empty` / `field_errors.<field>_empty` when the
 * form sent it empty, else `field_errors.<form>_<field>` /
 * `field_errors.<field>`, else "Проверьте поле «<label>»: <server message>".
 */
export function describeFieldError(field: string, message: string, translate: Translate, ctx: ErrorContext = {}): string {
  const k = fieldKey(field)
  const tries: string[] = []
  const values = ctx.values ?? {}
  if (Object.prototype.hasOwnProperty.call(values, field) && blank(values[field])) {
    if (ctx.form) tries.push(`field_errors.${ctx.form}_${k}_empty`)
    tries.push(`field_errors.${k}_empty`)
  }
  if (ctx.form) tries.push(`field_errors.${ctx.form}_${k}`)
  tries.push(`field_errors.${k}`)
  for (const key of tries) {
    const m = translate(key)
    if (m) return m
  }
  const label = translate(`field_labels.${k}`) ?? field
  const detail = serverDetail(field, message)
  return (
    translate('errors.invalid_field_named', { label, message: detail }) ??
    (detail ? `${label}: ${detail}` : label)
  )
}

function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError || (typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string')
}

/**
 * A readable message for an error: the translation of its code when the
 * locale has one (`errors.<code>`); for an invalid field, a message naming
 * the field and the fix (see `describeFieldError`); else the server's message.
 */
export function describeError(err: unknown, translate: Translate, ctx: ErrorContext = {}): string {
  if (isApiError(err)) {
    const e = err
    const generic = e.code === 'invalid_field'
    const known = generic ? undefined : translate(`errors.${e.code}`)
    if (known) return known
    if (e.field) return describeFieldError(e.field, e.message ?? '', translate, ctx)
    const fallback = translate(`errors.${e.code}`)
    if (fallback) return fallback
    if (e.status === 0) return translate('errors.network') ?? e.message
    if (e.status >= 500) return translate('errors.server') ?? e.message
    return e.message || translate('errors.unknown') || 'Error'
  }
  if (err instanceof Error) return err.message
  return translate('errors.unknown') ?? String(err)
}
