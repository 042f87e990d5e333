import { describe, it, expect } from 'vitest'
import { i18n } from '../src/i18n'

const t = (k: string, locale: 'ru' | 'en') => i18n.global.t(k, {}, { locale })

describe('empty states say what to do next', () => {
  // Each empty list for the staff names the button that fills it.
  const teacher: [string, string][] = [
    ['courses.empty_teacher', 'courses.create'],
    ['lessons.empty_teacher', 'lessons.new'],
    ['hw.empty_teacher', 'hw.new'],
    ['quiz.empty_teacher', 'quiz.new'],
    ['quiz.none_staff', 'quiz.new'],
    ['webinar.empty_staff', 'webinar.new'],
  ]
  it('names the button in Russian and English', () => {
    for (const [empty, button] of teacher) {
      expect(t(empty, 'ru')).toContain(`«${t(button, 'ru')}»`)
      expect(t(empty, 'en')).toContain(`“${t(button, 'en')}”`)
    }
  })
  it('tells students and everyone else what will happen', () => {
    for (const k of ['lessons.empty_student', 'hw.empty_student', 'quiz.empty_student', 'quiz.none', 'webinar.empty', 'grading.empty', 'schedule.empty', 'hw.none', 'achievements.none']) {
      for (const l of ['ru', 'en'] as const) expect(t(k, l).split(/[.—:]/).filter((x) => x.trim()).length, `${l}: ${k}`).toBeGreaterThan(1)
    }
  })
})
