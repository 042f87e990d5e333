// Course cover themes (lms-core `CourseCover`): a colour scheme and a
// subject picture, drawn by the UI from bundled icons, so a cover never
// loads anything from elsewhere. A course without a chosen theme gets one
// from its title, so every card has a cover from the start.

/** The themes, in the order the picker shows them (as the API names them). */
export const COVERS = [
  'math', 'physics', 'chemistry', 'biology', 'literature', 'languages',
  'history', 'geography', 'programming', 'art', 'music', 'exam',
] as const
export type Cover = (typeof COVERS)[number]

/** The Bootstrap Icons picture of each theme. */
export const COVER_ICONS: Record<Cover, string> = {
  math: 'calculator', physics: 'lightning-charge', chemistry: 'eyedropper', biology: 'tree',
  literature: 'book', languages: 'translate', history: 'hourglass-split', geography: 'globe-europe-africa',
  programming: 'code-slash', art: 'palette', music: 'music-note-beamed', exam: 'mortarboard',
}

// Title words (Russian and English stems) that name a subject.
const GUESSES: [RegExp, Cover][] = [
  [/алгебр|геометр|математ|math|algebra|geometry/i, 'math'],
  [/физик|physic/i, 'physics'],
  [/хими|chemi/i, 'chemistry'],
  [/биолог|biolog|анатом/i, 'biology'],
  [/литератур|русск|сочинени|literat|writing/i, 'literature'],
  [/английск|немецк|французск|испанск|китайск|язык|english|german|french|spanish|language/i, 'languages'],
  [/истори|обществ|history|social/i, 'history'],
  [/географ|geograph/i, 'geography'],
  [/информат|программ|python|javascript|код|computer|coding|programming/i, 'programming'],
  [/рисова|живопис|дизайн|искусств|art|design|drawing/i, 'art'],
  [/музык|music/i, 'music'],
  [/егэ|огэ|экзамен|exam/i, 'exam'],
]

function isCover(v: unknown): v is Cover {
  return typeof v === 'string' && (COVERS as readonly string[]).includes(v)
}

/** A stable small number from a string (FNV-1a), to spread untitled covers over the themes. */
function hash(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0
  return h
}

/** The theme a course's card shows: its chosen one, else one its title names, else one picked by its id. */
export function coverOf(course: { id: string; title: string; cover?: string | null }): Cover {
  if (isCover(course.cover)) return course.cover
  const named = GUESSES.find(([re]) => re.test(course.title))
  return named ? named[1] : COVERS[hash(course.id) % COVERS.length]
}
