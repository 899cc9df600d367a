import { useCallback, useEffect, useState } from "react";
import { hashFor, type Route, routeFromHash, subpathFromHash } from "../common/routes.js";

/** The page and place the address bar names, and a way to go elsewhere. */
export interface HashLocation {
  /** Undefined when the hash names no page (a first visit): the landing rule picks one. */
  route: Route | undefined;
  subpath: string | undefined;
  /** Opens a page; `replace` keeps the back button from returning to a page nobody chose. */
  navigate(route: Route, subpath?: string, options?: { replace?: boolean }): void;
}

function read(): Pick<HashLocation, "route" | "subpath"> {
  const { hash } = window.location;
  return { route: routeFromHash(hash), subpath: subpathFromHash(hash) };
}

/**
 * Hash routing without a router library: five pages need no more than `hashchange`, and the hash keeps
 * working when a reverse proxy mounts the console under a prefix (the server never sees it).
 */
export function useHashRoute(): HashLocation {
  const [location, setLocation] = useState(read);

  useEffect(() => {
    const onChange = () => setLocation(read());
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);

  const navigate = useCallback((route: Route, subpath?: string, options?: { replace?: boolean }) => {
    const hash = hashFor(route, subpath);
    if (options?.replace) {
      // replaceState fires no hashchange, so the state follows by hand.
      window.history.replaceState(null, "", hash);
      setLocation(read());
    } else if (window.location.hash !== hash) {
      window.location.hash = hash;
    }
  }, []);

  return { ...location, navigate };
}
