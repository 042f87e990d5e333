import { describe, it, expect } from 'vitest'
import { createI18n } from 'vue-i18n'
import { ApiError, errorFromBody } from '../src/api/http'
import { describeError, describeFieldError, fieldKey, type Translate } from '../src/lib/errors'
import ru from '../src/locales/ru.json'
import en from '../src/locales/en.json'

function translator(locale: 'ru' | 'en'): Translate {
  const i18n = createI18n({ legacy: false, locale, messages: { ru, en } })
  const { t, te } = i18n.global
  return (k, p) => (te(k) ? t(k, p ?? {}) : undefined)
}
const ruT = translator('ru')
const enT = translator('en')
const invalid = (field: string, message: string) =>
  errorFromBody(422, { error: { code: 'invalid_field', message: `${field}: ${message}`, field } })

describe('field error messages', () => {
  it('names the field and the fix instead of a generic text', () => {
    const e = invalid('title', 'title must be 1 to 200 characters')
    expect(describeError(e, ruT, { form: 'lesson', values: { title: '  ' } })).toBe('Название урока не может быть пустым.')
    expect(describeError(e, enT, { form: 'lesson', values: { title: '' } })).toBe('Lesson title cannot be empty.')
    expect(describeError(e, ruT, { form: 'course', values: { title: '' } })).toBe('Название курса не может быть пустым.')
    // Not empty: too long.
    expect(describeError(e, ruT, { form: 'lesson', values: { title: 'x'.repeat(300) } })).toBe('Название должно быть от 1 до 200 символов.')
    // No context: the field's own message.
    expect(describeError(e, ruT)).toBe('Название должно быть от 1 до 200 символов.')
    expect(describeError(e, ruT)).not.toBe('Проверьте заполнение поля.')
  })

  it('knows the validated fields of the routes', () => {
    expect(describeError(invalid('max_score', 'points must be a number from 0 to 100000, got -1'), ruT)).toMatch(/^Максимальный балл должен быть больше нуля/)
    expect(describeError(invalid('due_at', 'expected an RFC 3339 date and time'), ruT)).toBe('Укажите срок сдачи: дату и время.')
    expect(describeError(invalid('due_at', 'x'), enT)).toBe('Set the due date and time.')
    expect(describeError(invalid('raw_score', 'x'), ruT)).toBe('Балл должен быть числом от 0 до максимума задания.')
    expect(describeError(invalid('quiet_hours.from', 'expected a local time HH:MM, e.g. 22:00'), ruT)).toMatch(/ЧЧ:ММ/)
    expect(describeError(invalid('late_policy.percent_per_day', 'must be at most 100'), ruT)).toBe('Штраф в день — от 0 до 100 %.')
    expect(describeError(invalid('file_limits.allowed_extensions', 'x'), enT)).toMatch(/without dots/)
    expect(fieldKey('quiet_hours.from')).toBe('quiet_hours_from')
  })

  it('says which field and what the server said for unknown fields', () => {
    expect(describeError(invalid('attachment_ids', 'a new lesson has no files yet'), ruT)).toBe('Проверьте поле «Файлы»: a new lesson has no files yet')
    expect(describeError(invalid('mystery', 'is odd'), ruT)).toBe('Проверьте поле «mystery»: is odd')
    expect(describeError(invalid('mystery', 'is odd'), enT)).toBe('Check the field “mystery”: is odd')
    expect(describeFieldError('mystery', 'mystery: is odd', () => undefined)).toBe('mystery: is odd')
  })

  it('keeps translated codes first, even when they name a field', () => {
    const e = new ApiError(422, 'due_before_open', 'due_at must not be before opens_at', 'due_at')
    expect(describeError(e, ruT)).toBe('Срок раньше открытия.')
    expect(describeError(new ApiError(0, 'network', 'x'), ruT)).toBe('Нет связи с сервером. Проверьте подключение и попробуйте ещё раз.')
    // invalid_field without a field keeps the generic text.
    expect(describeError(new ApiError(422, 'invalid_field', 'bad'), ruT)).toBe('Проверьте заполнение поля.')
  })
})
