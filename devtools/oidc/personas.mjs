// The demo personas, shared with the portal's demo seeding (demo/data.py reads the same JSON).
// Their identity numbers are synthetic H-numbers (month + 40): checksum-valid, never a real person's.
import fs from 'node:fs';

export const PERSONAS = JSON.parse(fs.readFileSync(new URL('./personas.json', import.meta.url), 'utf8'));
