// Files attached to a message of a submission's thread (CommentThread.vue):
// the chips of the files chosen before sending (uploaded as drafts at once),
// how many more fit, when the message may go and the request that posts it;
// and a file's size for people ("820 КБ", "1,5 МБ").
import type { FileRef } from '../api/types'
import { formatNumber } from './format'

/** At most this many files on one message (the server's `MAX_COMMENT_FILES`). */
export const MAX_COMMENT_FILES = 10

/** A file chosen for the message: uploading (`progress` 0..1) until `ref` is there. */
export interface FileChip {
  /** Stable while the chip lives (the list key). */
  key: number
  name: string
  /** Bytes, as chosen. */
  size: number
  progress: number
  /** The stored draft, once uploaded. */
  ref?: FileRef
}

/** The body of `POST /submissions/{id}/comments`. */
export interface CommentBody {
  body: string
  file_ids: string[]
}

/** How many of `picked` files to take next to `have` chosen already (never more than `max` in all). */
export function room(have: number, picked: number, max = MAX_COMMENT_FILES): number {
  return Math.max(0, Math.min(picked, max - have))
}

/** Whether a chip is still uploading. */
export const uploading = (c: FileChip) => !c.ref

/** The request: the text ('' when the message is only files) and the uploaded files' ids, in the order chosen. */
export function commentBody(body: string, chips: readonly FileChip[]): CommentBody {
  return { body: body ?? '', file_ids: chips.flatMap((c) => (c.ref ? [c.ref.id] : [])) }
}

/** Whether the message can be sent: nothing still uploading, and some text or at least one file. */
export function canSend(body: string, chips: readonly FileChip[]): boolean {
  if (chips.some(uploading)) return false
  return !!body || chips.length > 0
}

/** Translates a unit key (`units.kb`, `units.mb`) with the number `n` already formatted. */
export type UnitText = (key: string, params: { n: string }) => string

const KB = 1024
const MB = 1024 * 1024

/**
 * A size in bytes for people, in the UI language: whole kilobytes below a
 * megabyte (at least 1 КБ for a non-empty file), megabytes with one decimal
 * above ("1,5 МБ" / "1.5 MB").
 */
export function fileSize(bytes: number, locale: string, t: UnitText): string {
  const n = Number.isFinite(bytes) && bytes > 0 ? bytes : 0
  if (n >= MB) return t('units.mb', { n: formatNumber(n / MB, locale, 1) })
  return t('units.kb', { n: formatNumber(n === 0 ? 0 : Math.max(1, Math.ceil(n / KB)), locale, 0) })
}
