// Icons as inline SVG: they need no emoji font (a page with ● or 📎 shows boxes or colour emoji depending on the
// machine's fonts). Each is decorative (aria-hidden); the text next to it says what it means.
import type { JSX } from 'preact';

type IconProps = { class?: string; title?: string };

function Svg({ children, class: className, viewBox = '0 0 16 16' }: { children: JSX.Element | JSX.Element[]; class?: string; viewBox?: string }) {
  return (
    <svg class={className ? `icon ${className}` : 'icon'} viewBox={viewBox} width="1em" height="1em" aria-hidden="true" focusable="false">
      {children}
    </svg>
  );
}

/** A round dot: filled when live, a ring while connecting. */
export function DotIcon({ filled, class: className }: IconProps & { filled: boolean }) {
  return (
    <Svg class={className}>
      <circle cx="8" cy="8" r="5" fill={filled ? 'currentColor' : 'none'} stroke="currentColor" stroke-width="2" />
    </Svg>
  );
}

/** A two-headed arrow: between our number and theirs. */
function BothWaysIcon({ class: className }: IconProps) {
  return (
    <Svg class={className}>
      <path d="M1.5 8h13M4.5 5 1.5 8l3 3M11.5 5l3 3-3 3" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round" />
    </Svg>
  );
}

/** An X: closes (dismisses) what it sits on. */
export function CloseIcon({ class: className }: IconProps) {
  return (
    <Svg class={className}>
      <path d="M4 4l8 8M12 4l-8 8" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" />
    </Svg>
  );
}

/** Between two parties: the two-headed arrow for the eye, "with" for a screen reader. */
export function Between() {
  return (
    <>
      {' '}
      <BothWaysIcon />
      <span class="visually-hidden">with</span>{' '}
    </>
  );
}
