// The school this server runs (`GET /api/v1/school`, no login needed): its
// name and logo for the header, the side menu and the login page, and
// whether the login page offers self-registration.
import { reactive } from 'vue'
import { get } from '../api/http'
import builtInLogo from '../assets/logo.svg'

export interface SchoolInfo {
  name: string
  /** `null`: the built-in logo. */
  logo_url: string | null
  /** Whether anyone may register a student account with a course's invite code. */
  self_registration?: boolean
}

export const school = reactive<{ name: string; logoUrl: string | null; selfRegistration: boolean; loaded: boolean }>({ name: '', logoUrl: null, selfRegistration: false, loaded: false })

/** The logo to show: the school's own, else the built-in one. */
export const logoSrc = (logoUrl: string | null | undefined): string => (logoUrl && logoUrl.trim() ? logoUrl : builtInLogo)

let loading: Promise<void> | null = null
/** Loads the school once (later calls share the first); on failure the app's own name and logo stay. */
export function loadSchool(fetchSchool: () => Promise<SchoolInfo> = () => get<SchoolInfo>('/school')): Promise<void> {
  loading ??= fetchSchool().then(
    (s) => {
      school.name = typeof s?.name === 'string' ? s.name.trim() : ''
      school.logoUrl = typeof s?.logo_url === 'string' ? s.logo_url : null
      school.selfRegistration = s?.self_registration === true
      school.loaded = true
      if (school.name && typeof document !== 'undefined') document.title = school.name
    },
    () => {
      loading = null
    },
  )
  return loading
}
