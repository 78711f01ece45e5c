import { NotFoundState } from "@/components/ui/states";

export default function NotFound() {
  return <NotFoundState what="Audit log" back={{ href: "/", label: "Overview" }} />;
}
