import { useEffect } from "preact/hooks";

/**
 * Whether a key press belongs to something the person is typing into. Shortcuts
 * must never fire there: typing "Hamburg" in the chat must not raise a hand.
 */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  return target.closest("input, textarea, select, [contenteditable]") !== null;
}

/**
 * Single-key shortcuts (M microphone, V camera, H hand). Ignored with a
 * modifier (Ctrl+V pastes), on key repeat and while typing.
 */
export function useShortcuts(actions: Record<string, () => void>): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.repeat || e.defaultPrevented) return;
      if (isTypingTarget(e.target)) return;
      const action = actions[e.key.toLowerCase()];
      if (!action) return;
      e.preventDefault();
      action();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [actions]);
}
