// "Continue where you stopped": a student's way through a course's lessons
// (`GET /api/v1/courses/{id}/my-progress`, students only).
import { lessons } from '../api'
import type { LessonMark, LessonProgress } from '../api/types'

export type { LessonMark, LessonProgress }

function isProgress(v: unknown): v is LessonProgress {
  const p = v as LessonProgress | null
  return !!p && typeof p === 'object' && Array.isArray(p.lessons) && typeof p.lessons_total === 'number' && typeof p.lessons_viewed === 'number'
}

/** The student's progress in a course, or `null` (not a student, an error, or an unknown answer). */
export async function loadMyProgress(courseId: string, fetchProgress: (courseId: string) => Promise<unknown> = lessons.myProgress): Promise<LessonProgress | null> {
  try {
    const p = await fetchProgress(courseId)
    return isProgress(p) ? { ...p, next_lesson_id: p.next_lesson_id ?? null } : null
  } catch {
    return null
  }
}

/** The lesson to continue with, or `null` when every lesson was opened. */
export function nextLesson(p: LessonProgress | null | undefined): LessonMark | null {
  if (!p?.next_lesson_id) return null
  return p.lessons.find((l) => l.lesson_id === p.next_lesson_id) ?? { lesson_id: p.next_lesson_id, title: '', viewed: false }
}

/** Whether the student opened `lessonId`. */
export const isViewed = (p: LessonProgress | null | undefined, lessonId: string): boolean => !!p?.lessons.some((l) => l.lesson_id === lessonId && l.viewed)

/** The share of lessons opened, 0..100. */
export function donePercent(p: LessonProgress | null | undefined): number {
  if (!p || p.lessons_total <= 0) return 0
  return Math.min(100, Math.round((p.lessons_viewed / p.lessons_total) * 100))
}

/** The key of "Completed {done} of {total} lesson(s)": the noun agrees with `total`
 * (Russian genitive after «из»: 1, 21, 101 → «урока»; else «уроков»). */
export function doneKey(total: number, locale: string): 'lesson_progress.done_one' | 'lesson_progress.done_many' {
  const one = locale === 'ru' ? total % 10 === 1 && total % 100 !== 11 : total === 1
  return one ? 'lesson_progress.done_one' : 'lesson_progress.done_many'
}
