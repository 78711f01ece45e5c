import { NotFoundState } from "@/components/ui/states";

export default function NotFound() {
  return <NotFoundState what="Edge hosts" back={{ href: "/", label: "Overview" }} />;
}
