import { NotFoundState } from "@/components/ui/states";

export default function NotFound() {
  return <NotFoundState what="Experiments" back={{ href: "/", label: "Overview" }} />;
}
