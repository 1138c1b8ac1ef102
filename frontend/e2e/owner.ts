/** The first owner the workflows spec creates from the setup link (the links spec signs in as them). */
export const OWNER = { email: 'ada@example.com', name: 'Ada Lovelace', password: 'correct horse battery' }
