import { ApiError } from '../api/http'

/**
 * A readable message for an error: the translation of its code when the
 * locale has one (`errors.<code>`), else the server's message.
 */
export function describeError(err: unknown, translate: (key: string) => string | undefined): string {
  if (err instanceof ApiError || (err && typeof (err as any).code === 'string')) {
    const e = err as ApiError
    const known = translate(`errors.${e.code}`)
    if (known) return known
    if (e.status === 0) return translate('errors.network') ?? e.message
    if (e.status >= 500) return translate('errors.server') ?? e.message
    return e.message || translate('errors.unknown') || 'Error'
  }
  if (err instanceof Error) return err.message
  return translate('errors.unknown') ?? String(err)
}
