// The bell's entries in words (src/lib/inbox.ts): a sentence per kind in
// both languages, dates in the user's zone, the badge's "99+".
import { describe, it, expect, afterEach } from 'vitest'
import { i18n, setLocale } from '../src/i18n'
import { ago, amount, bellLabel, sentence, shortWhen, unreadLabel, type Speech } from '../src/lib/inbox'
import { KINDS } from '../src/lib/delivery'
import type { NoticeData } from '../src/api/types'
import { SAMPLES } from './inbox-samples'

const NOW = Date.parse('2026-12-10T12:00:00Z')
const t: Speech['t'] = (k, p) => i18n.global.t(k, p ?? {})
const speech = (locale: 'ru' | 'en', now = NOW): Speech => ({ t, locale, timeZone: 'Europe/Moscow', now })
/** Intl puts narrow no-break spaces in some formats. */
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ')

const RU: Record<(typeof KINDS)[number], string> = {
  new_assignment: 'Новое задание «ДЗ 1» по курсу «Алгебра», срок 12 дек., 23:59',
  deadline_reminder: 'Срок сдачи «ДЗ 1» по курсу «Алгебра» через 24 часа: 12 дек., 23:59',
  quiz_reminder: 'Тест «Тест 1» по курсу «Алгебра» закрывается через 2 часа: 12 дек., 23:59',
  homework_graded: 'Оценка за «ДЗ 1»: 8,5 из 10',
  homework_returned: 'Работа по заданию «ДЗ 1» возвращена на доработку',
  webinar_scheduled: 'Запланирован вебинар «Разбор» по курсу «Алгебра»: 15 дек., 18:00',
  webinar_changed: 'Вебинар «Разбор» перенесён на 16 дек., 18:00',
  webinar_reminder: 'Вебинар «Разбор» начнётся через 10 минут (15 дек., 18:00)',
  achievement_awarded: 'Получена награда «Тест без ошибок»',
  submission_comment: 'Ирина Петрова: новое сообщение по работе «ДЗ 1»',
  announcement: 'Объявление в курсе «Алгебра»: Контрольная переносится',
}
const EN: Record<(typeof KINDS)[number], string> = {
  new_assignment: 'New assignment “ДЗ 1” in “Алгебра”, due 12 Dec, 23:59',
  deadline_reminder: '“ДЗ 1” in “Алгебра” is due in 24 hours: 12 Dec, 23:59',
  quiz_reminder: 'Quiz “Тест 1” in “Алгебра” closes in 2 hours: 12 Dec, 23:59',
  homework_graded: 'Your grade for “ДЗ 1”: 8.5 out of 10',
  homework_returned: 'Your work on “ДЗ 1” was returned for revision',
  webinar_scheduled: 'Webinar “Разбор” scheduled in “Алгебра”: 15 Dec, 18:00',
  webinar_changed: 'The webinar “Разбор” was moved to 16 Dec, 18:00',
  webinar_reminder: 'The webinar “Разбор” starts in 10 minutes (15 Dec, 18:00)',
  achievement_awarded: 'Badge earned: “Perfect quiz”',
  submission_comment: 'Ирина Петрова wrote about “ДЗ 1”',
  announcement: 'Announcement in “Алгебра”: Контрольная переносится',
}

afterEach(() => setLocale('ru'))

describe('the sentence of each kind', () => {
  it.each(KINDS.map((k) => [k]))('%s in Russian', (k) => {
    setLocale('ru')
    expect(plain(sentence(SAMPLES[k], speech('ru')))).toBe(RU[k])
  })
  it.each(KINDS.map((k) => [k]))('%s in English', (k) => {
    setLocale('en')
    expect(plain(sentence(SAMPLES[k], speech('en')))).toBe(EN[k])
  })
  it('a cancelled webinar, and one changed without a new start', () => {
    const base = SAMPLES.webinar_changed
    expect(sentence({ ...base, cancelled: true }, speech('ru'))).toBe('Вебинар «Разбор» отменён')
    expect(sentence({ ...base, starts_at: null }, speech('ru'))).toBe('Вебинар «Разбор» изменён')
    setLocale('en')
    expect(sentence({ ...base, cancelled: true, starts_at: null }, speech('en'))).toBe('The webinar “Разбор” was cancelled')
  })
  it('plural forms come from the language: 2 часа, 1 минута, 2 hours', () => {
    expect(plain(sentence({ ...SAMPLES.deadline_reminder, hours_before: 2 }, speech('ru')))).toContain('через 2 часа:')
    expect(plain(sentence({ ...SAMPLES.quiz_reminder, hours_before: 24 }, speech('ru')))).toContain('закрывается через 24 часа:')
    setLocale('en')
    expect(plain(sentence({ ...SAMPLES.quiz_reminder, hours_before: 1 }, speech('en')))).toContain('closes in 1 hour:')
    expect(amount(1, 'minute', 'ru')).toBe('1 минута')
    expect(amount(60, 'minute', 'ru')).toBe('60 минут')
    expect(amount(2, 'hour', 'en')).toBe('2 hours')
  })
  it('every badge has its name', () => {
    for (const badge of ['first_homework', 'on_time_streak_5', 'perfect_quiz', 'course_completed'] as const)
      expect(sentence({ event: 'achievement_awarded', badge }, speech('ru'))).not.toMatch(/badges\./)
  })
  it('a kind the bell does not list still gets a line', () => {
    const reset: NoticeData = { event: 'password_reset', expires_at: '2026-12-10T13:00:00Z', token: 'x' }
    expect(sentence(reset, speech('ru'))).toBe('Новое уведомление')
  })
  it('user text is shown as it is, not read as a message', () => {
    const n: NoticeData = { ...SAMPLES.homework_returned, title: 'Задача {n} | @x $y' } as NoticeData
    expect(sentence(n, speech('ru'))).toBe('Работа по заданию «Задача {n} | @x $y» возвращена на доработку')
    const c: NoticeData = { ...SAMPLES.submission_comment, author_name: 'Ира {name} @home' }
    expect(sentence(c, speech('ru'))).toBe('Ира {name} @home: новое сообщение по работе «ДЗ 1»')
    const a: NoticeData = { ...SAMPLES.announcement, title: 'Сбор в {room} @ 10:00 | $5', course_title: 'Курс {c}' }
    expect(sentence(a, speech('ru'))).toBe('Объявление в курсе «Курс {c}»: Сбор в {room} @ 10:00 | $5')
  })
})

describe('dates and counts', () => {
  it('dates are short, in the user\'s zone, with the year only when it is another one', () => {
    expect(plain(shortWhen('2026-12-12T20:59:00Z', speech('ru')))).toBe('12 дек., 23:59')
    expect(plain(shortWhen('2027-01-02T06:00:00Z', speech('ru')))).toBe('2 янв. 2027 г., 09:00')
    expect(plain(shortWhen('2027-01-02T06:00:00Z', speech('en')))).toBe('2 Jan 2027, 09:00')
    expect(shortWhen(null, speech('ru'))).toBe('—')
  })
  it('when an entry arrived: just now, minutes, hours, then the date', () => {
    const at = (minutesAgo: number) => new Date(NOW - minutesAgo * 60_000).toISOString()
    expect(ago(at(0), speech('ru'))).toBe('только что')
    expect(ago(at(5), speech('ru'))).toBe('5 минут назад')
    expect(ago(at(3 * 60 + 10), speech('ru'))).toBe('3 часа назад')
    expect(plain(ago(at(2 * 24 * 60), speech('ru')))).toBe('8 дек., 15:00')
    setLocale('en')
    expect(ago(at(0), speech('en'))).toBe('just now')
    expect(ago(at(1), speech('en'))).toBe('1 minute ago')
  })
  it('the badge: nothing at 0, the number up to 99, then 99+', () => {
    expect(unreadLabel(0)).toBe('')
    expect(unreadLabel(1)).toBe('1')
    expect(unreadLabel(99)).toBe('99')
    expect(unreadLabel(100)).toBe('99+')
    expect(bellLabel(0, t)).toBe('Уведомления, непрочитанных нет')
    expect(bellLabel(3, t)).toBe('Уведомления, непрочитанных: 3')
    expect(bellLabel(100, t)).toBe('Уведомления, непрочитанных больше 99')
  })
})
