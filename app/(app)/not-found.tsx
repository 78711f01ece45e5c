import { NotFoundState } from "@/components/ui/states";

export default function NotFound() {
  return <NotFoundState what="Overview" back={{ href: "/", label: "Overview" }} />;
}
