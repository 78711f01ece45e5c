import { NotFoundState } from "@/components/ui/states";

export default function NotFound() {
  return <NotFoundState what="Models" back={{ href: "/", label: "Overview" }} />;
}
